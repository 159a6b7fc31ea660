package com.acme.clickstream.sessionizer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.Timestamps;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Random;

/** The streaming session writer must give byte for byte what data-binding the Session record gives. */
class SessionJsonTest {

    private final JsonSerde<Session> databind = new JsonSerde<>(Session.class);

    @Test
    void sameBytesAsDataBindingForEveryShapeOfSession() {
        Random random = new Random(7);
        SessionJson json = new SessionJson(); // one instance for all, as a processor reuses it
        for (int i = 0; i < 5_000; i++) {
            long start = (long) (random.nextDouble() * Timestamps.MAX_EPOCH_MILLIS);
            long end = Math.min(Timestamps.MAX_EPOCH_MILLIS, start + random.nextInt(1_000_000));
            Session s = new Session("id-" + i, "user \"" + i + "\" \u00e9\u2028",
                    Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), end - start, 1 + random.nextInt(1000),
                    random.nextInt(10), random.nextInt(3),
                    new BigDecimal(random.nextLong() % 10_000_000_000_000_000L).movePointLeft(2).abs(),
                    maybe(random, "/p/" + i), maybe(random, "/exit?x=\t"), maybe(random, "cat"),
                    maybe(random, "DE"), maybe(random, "gold"), maybe(random, "google"), maybe(random, "cpc"),
                    maybe(random, "spring"), random.nextBoolean(),
                    random.nextBoolean() ? null : Instant.ofEpochMilli(end + random.nextInt(100_000)));
            assertThat(new String(json.write(s))).isEqualTo(new String(databind.serialize(null, s)));
        }
    }

    @Test
    void timestampsAtTheEdgesOfTheAcceptedRange() {
        for (long t : new long[] {0, 1, 999, 86_399_999, 951_782_400_000L, Timestamps.MAX_EPOCH_MILLIS}) {
            assertThat(Timestamps.format(t)).isEqualTo(Timestamps.format(Instant.ofEpochMilli(t)));
        }
    }

    private static String maybe(Random random, String s) {
        return random.nextInt(4) == 0 ? null : s;
    }
}
