package com.acme.clickstream.sessionizer.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

class StreamTimeLedgerTest {

    private static final long NONE = Long.MIN_VALUE;

    @Test
    void answersTheLargestTsUpToARecordTimestamp() {
        StreamTimeLedger l = new StreamTimeLedger();
        assertThat(l.upTo(100)).isEqualTo(NONE);
        l.add(10, 500);
        l.add(20, 400);          // no new maximum: nothing to keep
        l.add(30, 900);
        l.add(15, 700);          // written before 20, arriving late: raises 15 and 20, and 30 stays above
        assertThat(l.upTo(9)).isEqualTo(NONE);
        assertThat(l.upTo(10)).isEqualTo(500);
        assertThat(l.upTo(15)).isEqualTo(700);
        assertThat(l.upTo(29)).isEqualTo(700);
        assertThat(l.upTo(30)).isEqualTo(900);
        assertThat(l.size()).isEqualTo(3);
        l.add(12, 950);          // covers everything after it
        assertThat(l.upTo(11)).isEqualTo(500);
        assertThat(l.upTo(12)).isEqualTo(950);
        assertThat(l.size()).isEqualTo(2);
        assertThat(l.foldUpTo(11)).isEqualTo(500);
        assertThat(l.upTo(11)).isEqualTo(NONE);
        assertThat(l.upTo(Long.MAX_VALUE)).isEqualTo(950);
        assertThat(l.foldUpTo(Long.MAX_VALUE)).isEqualTo(950);
        assertThat(l.isEmpty()).isTrue();
    }

    /** Against the definition, computed the plain way over every record, with folds in between. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void equalsTheDefinitionOnRandomStreams(long seed) {
        Random random = new Random(seed);
        StreamTimeLedger ledger = new StreamTimeLedger();
        List<long[]> records = new ArrayList<>(); // {recordTs, ts}
        long folded = NONE;
        long watermark = NONE;
        for (int i = 0; i < 5000; i++) {
            // Mostly in order, some written earlier than records already added (re-keyed ones arriving late).
            long t = 1_000_000 + i * 10L + random.nextInt(300) - 150;
            long ts = 1_000_000 + i * 10L + random.nextInt(20_000) - 10_000;
            ledger.add(t, ts);
            records.add(new long[] {t, ts});
            long probe = t - 50 + random.nextInt(100);
            assertThat(Math.max(folded, ledger.upTo(probe))).as("record %d, probe %d", i, probe)
                    .isEqualTo(Math.max(folded, definition(records, probe)));
            if (random.nextInt(50) == 0) {
                watermark = Math.max(watermark, probe);
                folded = Math.max(folded, ledger.foldUpTo(watermark));
                assertThat(folded).isEqualTo(Math.max(NONE, definition(records, watermark)));
                if (random.nextBoolean()) {
                    ledger = StreamTimeLedger.fromBytes(ledger.toBytes()); // as committed and restored
                }
            }
        }
    }

    /** The serialized value is a copy: the buffer behind it is reused, by small ledgers and large ones alike. */
    @Test
    void eachCommittedValueStaysAsItWasWhenTheLedgerIsWrittenAgain() {
        StreamTimeLedger l = new StreamTimeLedger();
        List<byte[]> values = new ArrayList<>();
        List<byte[]> copies = new ArrayList<>();
        long t = 1_795_000_000_000L;
        for (int n : new int[] {1, 2, 100, 20_000, 3, 0}) {
            while (l.size() < n) {
                t += 7;
                l.add(t, t + l.size());
            }
            l.foldUpTo(t - 7L * n);
            byte[] v = l.toBytes();
            values.add(v);
            copies.add(v.clone());
            assertThat(StreamTimeLedger.fromBytes(v).toBytes()).isEqualTo(v);
        }
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).isEqualTo(copies.get(i));
        }
    }

    private static long definition(List<long[]> records, long upTo) {
        long max = NONE;
        for (long[] r : records) {
            if (r[0] <= upTo) {
                max = Math.max(max, r[1]);
            }
        }
        return max;
    }
}
