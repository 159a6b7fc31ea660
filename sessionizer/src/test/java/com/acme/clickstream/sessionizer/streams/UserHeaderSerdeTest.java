package com.acme.clickstream.sessionizer.streams;

import static com.acme.clickstream.sessionizer.streams.UserStateSerdeTest.BIG;
import static com.acme.clickstream.sessionizer.streams.UserStateSerdeTest.BUY;
import static com.acme.clickstream.sessionizer.streams.UserStateSerdeTest.CLICK;
import static com.acme.clickstream.sessionizer.streams.UserStateSerdeTest.VIEW;
import static com.acme.clickstream.sessionizer.streams.UserStateSerdeTest.ZERO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.acme.clickstream.sessionizer.model.Campaign;
import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.SessionSummary;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The header is the record written per commit for every user with news: exact, and small for a short session. */
class UserHeaderSerdeTest {

    static final UserHeaderSerde SERDE = new UserHeaderSerde();

    @Test
    void roundTripsInlineAndChunkedSessionsExactly() {
        UserHeader h = new UserHeader(new FinalContext(1L, 2L, "last", new Campaign("s", null, "c")), 9,
                new ArrayList<>());
        h.open.add(new UserHeader.Open(3, SessionSummary.of(List.of(CLICK, VIEW)), 0,
                new ArrayList<>(List.of(VIEW, CLICK))));
        // Chunked: the summary covers 16 stored events plus the tail, so it is written, not folded.
        List<Event> all = new ArrayList<>();
        for (int i = 0; i < UserHeader.CHUNK; i++) {
            all.add(new Event(1_795_000_000_000L + i, "c" + i, "click", null, null, null, null, null));
        }
        all.addAll(List.of(BUY, BIG, ZERO));
        h.open.add(new UserHeader.Open(7, SessionSummary.of(all), 1, new ArrayList<>(List.of(BUY, BIG, ZERO))));

        byte[] bytes = SERDE.serialize("t", h);
        assertThat(bytes[0]).isEqualTo(UserHeaderSerde.V3);
        UserHeader back = SERDE.deserialize("t", bytes);
        assertThat(SERDE.serialize("t", back)).isEqualTo(bytes);
        assertThat(back.lastFinal).isEqualTo(h.lastFinal);
        assertThat(back.nextSeq).isEqualTo(9);
        assertThat(back.open).hasSize(2);
        assertThat(back.open.get(0).seq).isEqualTo(3);
        assertThat(back.open.get(0).chunks).isZero();
        assertThat(back.open.get(0).tail()).containsExactly(VIEW, CLICK);
        assertThat(back.open.get(1).chunks).isEqualTo(1);
        assertThat(back.open.get(1).summary.count()).isEqualTo(UserHeader.CHUNK + 3);
        // A stored summary: its inline events are skipped when read, and decoded only when asked for.
        assertThat(back.open.get(1).tail()).containsExactly(BUY, BIG, ZERO);
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> SERDE.deserialize("t", truncated)).as("cut at %d", cut)
                    .isInstanceOf(SerializationException.class);
        }
        // The folded summary is the one the processor kept: same contract fields.
        assertThat(back.open.get(0).summary.toSession("u", null, p -> null, 0L))
                .isEqualTo(h.open.get(0).summary.toSession("u", null, p -> null, 0L));
        assertThat(back.open.get(1).summary.toSession("u", null, p -> null, 0L))
                .isEqualTo(h.open.get(1).summary.toSession("u", null, p -> null, 0L));
    }

    /** A one-event session costs its event, the final context and a few bytes of framing: no stored summary. */
    @Test
    void aOneEventSessionIsItsEventAndLittleElse() {
        UserHeader h = UserHeader.empty();
        h.open.add(new UserHeader.Open(0, SessionSummary.of(VIEW), 0, new ArrayList<>(List.of(VIEW))));
        int event = StateCodec.toBytes(VIEW).length;
        // version 1, no final 1, next seq 8, open count 1, seq 8, chunks 1, tail count 1
        assertThat(SERDE.serialize("t", h)).hasSize(event + 21);
    }

    /**
     * Strings are written straight from their chars when ASCII and encoded otherwise (also when the first non-ASCII
     * char comes late, after the ASCII ones were written): the same bytes as UTF-8 with a length prefix either way.
     */
    @Test
    void stringsOfEveryKindAreWrittenAsLengthPrefixedUtf8() {
        String[] strings = {"", "a", "x".repeat(127), "x".repeat(128), "x".repeat(300) + "\u00e9", "\u00e9l\u00e8ve",
                "evt-1 \ud83d\ude00", "/p/42?ref=mail"};
        for (String s : strings) {
            Bin.Out out = new Bin.Out(4);
            out.str(s);
            out.nstr(s);
            out.nstr(null);
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Bin.In in = new Bin.In(out.toArray(), 0);
            assertThat(in.str()).isEqualTo(s);
            assertThat(in.nstr()).isEqualTo(s);
            assertThat(in.nstr()).isNull();
            Bin.Out expected = new Bin.Out(4);
            expected.varint(utf8.length);
            expected.bytes(utf8);
            expected.varint(utf8.length + 1);
            expected.bytes(utf8);
            expected.varint(0);
            assertThat(out.toArray()).as(s).isEqualTo(expected.toArray());
        }
    }

    /** The serializer reuses its buffer: a value it returned is never changed by the next one. */
    @Test
    void aSerializedValueIsNotChangedByTheNextSerialization() {
        UserHeader big = UserHeader.empty();
        big.open.add(new UserHeader.Open(0, SessionSummary.of(List.of(CLICK, VIEW, BUY)), 0,
                new ArrayList<>(List.of(CLICK, VIEW, BUY))));
        UserHeader small = UserHeader.empty();
        small.open.add(new UserHeader.Open(0, SessionSummary.of(CLICK), 0, new ArrayList<>(List.of(CLICK))));
        byte[] first = SERDE.serialize("t", big);
        byte[] copy = first.clone();
        byte[] second = SERDE.serialize("t", small);
        assertThat(first).isEqualTo(copy);
        assertThat(second).isNotSameAs(first).hasSizeLessThan(first.length);
        assertThat(SERDE.deserialize("t", second).open.get(0).tail()).containsExactly(CLICK);
    }

    /**
     * Inline events and the final context are encoded once and copied at later writes: whatever happened to the
     * header since (events appended, the tail replaced or written out as a chunk, a new final context, read back from
     * its bytes), it writes the bytes of a header built afresh with the same content.
     */
    @Test
    void aChangedHeaderWritesTheBytesOfAFreshOne() {
        FinalContext fin = new FinalContext(1L, 2L, "last", new Campaign("s", null, "c"));
        UserHeader h = new UserHeader(fin, 1, new ArrayList<>());
        h.open.add(new UserHeader.Open(0, SessionSummary.of(VIEW), 0, new ArrayList<>(List.of(VIEW))));
        assertThat(SERDE.serialize("t", h)).isEqualTo(SERDE.serialize("t", fresh(fin, List.of(VIEW))));

        h.open.get(0).appendToTail(CLICK);
        h.open.get(0).appendToTail(BUY);
        assertThat(SERDE.serialize("t", h)).isEqualTo(SERDE.serialize("t", fresh(fin, List.of(VIEW, CLICK, BUY))));
        assertThat(h.open.get(0).tailAsChunk()).isEqualTo(StateCodec.chunkToBytes(List.of(VIEW, CLICK, BUY)));

        FinalContext next = new FinalContext(3L, 4L, "\u00e9v\u00e9nement", null);
        h.lastFinal = next;
        h.open.get(0).replaceTail(new ArrayList<>(List.of(ZERO)));
        assertThat(SERDE.serialize("t", h)).isEqualTo(SERDE.serialize("t", fresh(next, List.of(ZERO))));

        UserHeader back = SERDE.deserialize("t", SERDE.serialize("t", h));
        back.open.get(0).appendToTail(BIG);
        assertThat(SERDE.serialize("t", back)).isEqualTo(SERDE.serialize("t", fresh(next, List.of(ZERO, BIG))));
        back.lastFinal = null;
        assertThat(SERDE.serialize("t", back)).isEqualTo(SERDE.serialize("t", fresh(null, List.of(ZERO, BIG))));
    }

    private static UserHeader fresh(FinalContext fin, List<Event> tail) {
        UserHeader h = new UserHeader(fin, 1, new ArrayList<>());
        h.open.add(new UserHeader.Open(0, SessionSummary.of(tail), 0, new ArrayList<>(tail)));
        return h;
    }

    @Test
    void anInlineSessionWithoutEventsIsRejected() {
        UserHeader h = UserHeader.empty();
        h.open.add(new UserHeader.Open(0, SessionSummary.of(VIEW), 0, new ArrayList<>()));
        byte[] bytes = SERDE.serialize("t", h);
        assertThatThrownBy(() -> SERDE.deserialize("t", bytes)).isInstanceOf(SerializationException.class);
    }
}
