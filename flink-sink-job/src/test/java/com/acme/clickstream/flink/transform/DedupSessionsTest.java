package com.acme.clickstream.flink.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Sessions;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keyed dedup function in an operator harness: side output, retention in Kafka time, state after expiry. */
class DedupSessionsTest {
    private static final long T0 = 1_795_000_000_000L; // 2026-11-18T...Z, fixed
    private static final Duration RETENTION = Duration.ofMinutes(10);
    private KeyedOneInputStreamOperatorTestHarness<String, ParsedSession, SessionRow> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(null);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ParsedSession, SessionRow> harness(
            OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DedupSessions(RETENTION)),
                p -> p.session().sessionId(), Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static ParsedSession record(SessionRow row, long offset, long kafkaTimestamp) {
        return new ParsedSession(row, "sessions", 0, offset, kafkaTimestamp);
    }

    private List<SessionRow> written() {
        return harness.extractOutputValues();
    }

    private List<RejectedRecord> rejected() {
        var side = harness.getSideOutput(ParseSessions.REJECTED);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void secondCopyWithinTheRetentionGoesToTheSideOutputWithItsCoordinates() throws Exception {
        SessionRow a = Sessions.row("dedup", 1);
        SessionRow b = Sessions.row("dedup", 2);
        harness.processElement(record(a, 10, T0), T0);
        harness.processElement(record(b, 11, T0), T0);
        harness.processElement(record(a, 12, T0 + 1000), T0 + 1000);

        assertThat(written()).containsExactly(a, b);
        assertThat(rejected()).containsExactly(new RejectedRecord("sessions", 0, 12, T0 + 1000, null, null,
                a.sessionId(), "duplicate: session_id already written by this job"));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    @Test
    void entriesExpireWhenTheKafkaTimeWatermarkPassesTheRetentionNotWithProcessingTime() throws Exception {
        SessionRow a = Sessions.row("dedup", 3);
        harness.processElement(record(a, 0, T0), T0);
        // A day of processing time (a downtime) expires nothing: the replayed copy is still recognised.
        harness.setProcessingTime(Duration.ofDays(1).toMillis());
        harness.processElement(record(a, 1, T0 + 5_000), T0 + 5_000);
        assertThat(written()).containsExactly(a);
        assertThat(rejected()).hasSize(1);

        // The watermark just before first copy + retention keeps it; at it, the entry and its timer are gone.
        harness.processWatermark(T0 + RETENTION.toMillis() - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.processWatermark(T0 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        // Past the retention a copy is written again (the sink's idempotent insert keeps the first row).
        harness.processElement(record(a, 2, T0 + RETENTION.toMillis() + 1), T0 + RETENTION.toMillis() + 1);
        assertThat(written()).containsExactly(a, a);
    }

    @Test
    void rememberedIdsSurviveASnapshotAndRestore() throws Exception {
        SessionRow a = Sessions.row("dedup", 4);
        harness.processElement(record(a, 0, T0), T0);
        OperatorSubtaskState snapshot = harness.snapshot(1, T0);
        harness.close();

        harness = harness(snapshot);
        harness.processElement(record(a, 7, T0 + 1), T0 + 1);
        assertThat(written()).isEmpty();
        assertThat(rejected()).extracting(RejectedRecord::offset).containsExactly(7L);
        harness.processWatermark(T0 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void retentionZeroKeepsNothingAndWritesEveryCopy() throws Exception {
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new DedupSessions(Duration.ZERO)), p -> p.session().sessionId(), Types.STRING);
        harness.open();
        SessionRow a = Sessions.row("dedup", 5);
        harness.processElement(record(a, 0, T0), T0);
        harness.processElement(record(a, 1, T0), T0);
        assertThat(written()).containsExactly(a, a);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
