package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Campaign;
import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserStateSerdeTest {

    static final UserStateSerde SERDE = new UserStateSerde();

    static final Event CLICK = new Event(1_795_000_000_000L, "e1", "click", null, null, null, null, null);
    static final Event VIEW = new Event(1_795_000_060_000L, "é-2 \uD83D\uDE00", "page_view", "/p/42?", null, "google",
            "", "winter");
    static final Event BUY = new Event(-5L, "e3", "purchase", null, new BigDecimal("12.50"), "bing", "cpc", null);
    static final Event BIG = new Event(Long.MAX_VALUE, "e4", "purchase", null, new BigDecimal("9999999999999999.99"),
            null, null, null);
    static final Event ZERO = new Event(0L, "e5", "purchase", null, new BigDecimal("7"), null, null, null);

    @Test
    void roundTripsEveryFieldExactly() {
        UserState[] states = {
                new UserState(List.of(), null, 42L),
                new UserState(List.of(List.of(CLICK)), null, Long.MIN_VALUE),
                new UserState(List.of(List.of(CLICK, VIEW), List.of(BUY, BIG, ZERO)),
                        new FinalContext(1L, 2L, "last", new Campaign("s", null, "c")), 1_795_000_000_000L),
                new UserState(List.of(), new FinalContext(-1L, Long.MAX_VALUE, "x", null), 7L)};
        for (UserState s : states) {
            byte[] bytes = SERDE.serialize("t", s);
            assertThat(bytes[0]).isEqualTo(UserStateSerde.V1);
            UserState back = SERDE.deserialize("t", bytes);
            assertThat(back).isEqualTo(s);
            // BigDecimal.equals compares the scale too; state it explicitly anyway.
            for (int i = 0; i < s.open().size(); i++) {
                for (int j = 0; j < s.open().get(i).size(); j++) {
                    BigDecimal a = s.open().get(i).get(j).amount();
                    if (a != null) {
                        assertThat(back.open().get(i).get(j).amount().scale()).isEqualTo(a.scale());
                    }
                }
            }
        }
        assertThat(SERDE.serialize("t", null)).isNull();
        assertThat(SERDE.deserialize("t", null)).isNull();
    }

    @Test
    void readsTheJsonOfEarlierVersions() {
        UserState s = new UserState(List.of(List.of(CLICK, VIEW), List.of(BUY)),
                new FinalContext(1L, 2L, "last", new Campaign("s", "m", "c")), 99L);
        byte[] json = new JsonSerde<>(UserState.class).serialize("t", s);
        assertThat(json[0]).isEqualTo((byte) '{');
        assertThat(SERDE.deserialize("t", json)).isEqualTo(s);
    }

    @Test
    void rejectsTruncatedAndTrailingBytes() {
        byte[] bytes = SERDE.serialize("t", new UserState(List.of(List.of(CLICK, BUY)), null, 5L));
        for (int n = 1; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> SERDE.deserialize("t", cut)).isInstanceOf(SerializationException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> SERDE.deserialize("t", longer)).isInstanceOf(SerializationException.class);
    }
}
