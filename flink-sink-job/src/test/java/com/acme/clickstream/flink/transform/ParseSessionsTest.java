package com.acme.clickstream.flink.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Sessions;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The parse step in an operator harness: valid records become rows with their coordinates, bad ones dead letters. */
class ParseSessionsTest {
    private static final long TS = 1_795_000_000_000L;

    @Test
    void validRecordsBecomeRowsAndMalformedOnesGoToTheSideOutputWithTheirBytes() throws Exception {
        SessionRow valid = Sessions.row("parse", 1);
        byte[] garbage = "not json".getBytes(StandardCharsets.UTF_8);
        try (var harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ParseSessions()))) {
            harness.open();
            harness.processElement(new RawSessionRecord("t", 1, 5, TS, "k".getBytes(StandardCharsets.UTF_8),
                    Sessions.bytes(valid)), TS);
            harness.processElement(new RawSessionRecord("t", 1, 6, TS, null, garbage), TS);
            harness.processElement(new RawSessionRecord("t", 0, 7, -1, null, null), TS);

            assertThat(harness.extractOutputValues()).containsExactly(new ParsedSession(valid, "t", 1, 5, TS));
            var rejected = harness.getSideOutput(ParseSessions.REJECTED).stream().map(StreamRecord::getValue).toList();
            assertThat(rejected).extracting(RejectedRecord::offset).containsExactly(6L, 7L);
            assertThat(rejected.get(0).value()).isEqualTo(garbage);
            assertThat(rejected.get(0).reason()).startsWith("malformed: ").contains("not UTF-8 JSON");
            assertThat(rejected.get(1).reason()).startsWith("malformed: ").contains("tombstone");
            assertThat(rejected.get(1).timestamp()).isEqualTo(-1);
        }
    }
}
