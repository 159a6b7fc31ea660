package com.acme.clickstream.sessionizer.streams;

import static com.acme.clickstream.sessionizer.streams.Fixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.acme.clickstream.sessionizer.model.EventValidator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The marks a source partition sends: "quiet" lets every partition finalize past whatever that source may still
 * re-key to it, so a source with records fetched but not processed must never say it. Nothing processed in the last
 * mark interval and a consumer lag of 0 do not prove it: the lag counts from the consumer's position, which is past
 * the records handed to Kafka Streams' buffer.
 */
class ValidateProcessorTest {

    static final String EVENTS = "clickstream.events";
    static final TopicPartition SOURCE = new TopicPartition(EVENTS, 0);
    static final long WALL0 = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();

    MockProcessorContext<String, Validated> context;
    Inputs inputs;
    ValidateProcessor processor;
    long wall;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        wall = WALL0;
        context.setCurrentSystemTimeMs(wall);
        inputs = new Inputs();
        processor = new ValidateProcessor(new EventValidator(Duration.ofHours(1)),
                new SessionizerMetrics(new SimpleMeterRegistry()), PartitionCounts.fixed(4), EVENTS, inputs);
        processor.init(context);
    }

    @Test
    void aSourceWithFetchedRecordsNotProcessedYetIsNotQuietThoughItsLagIsZeroAndItProcessedNothingSinceItsLastMark() {
        inputs.lag = 0;
        inputs.lastFetched = 3L;                        // one poll handed offsets 0..3 to the task's buffer
        process(0, "u1", "e0");                        // the first record: the first mark, active
        assertThat(lastMark().quiet()).isFalse();

        punctuate();                                   // offsets 1..3 wait in the buffer
        assertThat(lastMark().quiet()).as("records 1..3 fetched, not processed").isFalse();
        // And behind: what it re-keys from them is not on its way yet, so no partition may count as idle.
        assertThat(lastMark().behind()).as("records 1..3 fetched, not processed").isTrue();

        process(1, "u1", "e1");
        process(2, "u2", "e2");
        process(3, "u3", "e3");
        punctuate();                                   // processed since the last mark: active
        assertThat(lastMark().quiet()).isFalse();
        punctuate();                                   // nothing since, nothing buffered, lag 0
        assertThat(lastMark().quiet()).isTrue();
        assertThat(lastMark().behind()).isFalse();

        inputs.lastFetched = 4L;                        // the next poll hands offset 4 over
        punctuate();
        assertThat(lastMark().quiet()).isFalse();
    }

    @Test
    void aStartedTaskThatHasNotProcessedItsFetchedRecordsStaysActivePastTheStartCheck() {
        inputs.lag = 0;
        inputs.lastFetched = 41L;                       // a backlog fetched after a restart, its first record not processed
        punctuate();
        assertThat(lastMark().quiet()).isFalse();
        advanceWall(ValidateProcessor.START_CHECK_MS + 1_000);
        punctuate();
        assertThat(lastMark().quiet()).as("seconds later, still nothing of the fetched backlog processed").isFalse();
    }

    /** A task revived after an error has its consumer rewound to the last commit, but the lag reads as before. */
    @Test
    void aStartedTaskWithNothingFetchedYetIsQuietOnlyAfterTheStartCheck() {
        assertQuietOnlyAfterTheStartCheck(-1L);
        assertThat(lastMark().progress()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void withoutTaskMetadataAStartedTaskIsQuietOnlyAfterTheStartCheck() {
        assertQuietOnlyAfterTheStartCheck(null);       // the task not (yet) in Kafka Streams' metadata
    }

    /**
     * After a restart onto a backlog the consumer fetched a partition's whole rest at once (lag 0) while the task was
     * not yet in Kafka Streams' thread metadata (seen for 0.6 s in RunCommandCrashIT's restart, the task processing
     * meanwhile): records processed and none since the last mark say nothing about the rest of the buffer.
     */
    @Test
    void withoutTaskMetadataATaskThatHasProcessedRecordsIsNotQuietBeforeTheStartCheck() {
        inputs.lag = 0;
        inputs.lastFetched = null;
        process(0, "u1", "e0");
        process(1, "u2", "e1");
        punctuate();
        assertThat(lastMark().quiet()).isFalse();
        punctuate();                                   // nothing processed since the last mark, lag 0, offsets unknown
        assertThat(lastMark().quiet()).as("the buffer may hold the rest of a backlog").isFalse();
        advanceWall(ValidateProcessor.START_CHECK_MS);
        punctuate();
        assertThat(lastMark().quiet()).isTrue();
    }

    /** A started task that has processed nothing, with a lag of 0 and {@code lastFetched} as its last fetched offset. */
    private void assertQuietOnlyAfterTheStartCheck(Long lastFetched) {
        inputs.lag = 0;
        inputs.lastFetched = lastFetched;
        punctuate();
        assertThat(lastMark().quiet()).isFalse();
        advanceWall(ValidateProcessor.START_CHECK_MS);
        punctuate();
        assertThat(lastMark().quiet()).isTrue();
    }

    /**
     * While the broker is unreachable no fetch response arrives and the lag keeps reading 0; producers hold their
     * records back and send them in a burst once it is back, possibly after this partition's first responses.
     */
    @Test
    void aSourceIsNotQuietWithoutCurrentFetchResponsesNorRightAfterThemComeBack() {
        caughtUpAndQuiet();

        inputs.sinceFetch = ValidateProcessor.FETCH_FRESH_MS + 1;   // the broker went away
        punctuate();
        assertThat(lastMark().quiet()).as("no current response: the lag of 0 is from before").isFalse();

        inputs.sinceFetch = 50L;                                     // responses again, the partition still empty
        punctuate();
        assertThat(lastMark().quiet()).as("just after the gap").isFalse();
        assertSettlesThenQuiet();
    }

    /**
     * The stream thread blocked through an outage (a commit waiting for the broker) reports again only once
     * responses flow again, so the first thing it sees is a fresh response: that it did not look for so long is the
     * gap. KafkaBrokerCrashIT: 19.5 s without a report, then a quiet mark 0.5 s before the partition's part of the
     * producers' burst was fetched, and a re-keyed event of it too late.
     */
    @Test
    void aSourceThatDidNotLookDuringAnOutageIsNotQuietRightAfterIt() {
        caughtUpAndQuiet();

        advanceWall(19_500);                                         // no report: the thread was blocked
        inputs.sinceFetch = 1L;                                      // and sees a response that just came in
        punctuate();
        assertThat(lastMark().quiet()).as("first report after 19.5 s without one").isFalse();
        punctuate();
        assertThat(lastMark().quiet()).as("just after the gap").isFalse();
        assertSettlesThenQuiet();
    }

    /** Four records processed, all fetched, nothing to consume, responses current: two reports later it is quiet. */
    private void caughtUpAndQuiet() {
        inputs.lag = 0;
        inputs.lastFetched = 3L;
        inputs.sinceFetch = 100L;
        for (int i = 0; i <= 3; i++) {
            process(i, "u" + i, "e" + i);
        }
        punctuate();
        punctuate();
        assertThat(lastMark().quiet()).as("caught up, responses current").isTrue();
    }

    /** Reports every mark interval through the settle time after a gap: quiet only once it has passed. */
    private void assertSettlesThenQuiet() {
        long reports = ValidateProcessor.RECONNECT_SETTLE_MS / ValidateProcessor.MARK_INTERVAL_MS - 1;
        for (long i = 0; i < reports; i++) {
            punctuate();
            assertThat(lastMark().quiet()).as("still settling, report %d", i).isFalse();
        }
        punctuate();
        assertThat(lastMark().quiet()).as("empty for the settle time in current responses").isTrue();
    }

    private void process(long offset, String user, String id) {
        context.setRecordMetadata(EVENTS, 0, offset);
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        String json = "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"type\":\"click\",\"ts\":\""
                + Instant.ofEpochMilli(T0 + offset) + "\"}";
        processor.process(new Record<>(key, json.getBytes(StandardCharsets.UTF_8), WALL0 + offset));
    }

    private void advanceWall(long ms) {
        wall += ms;
        context.setCurrentSystemTimeMs(wall);
    }

    private void punctuate() {
        advanceWall(ValidateProcessor.MARK_INTERVAL_MS);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(wall);
    }

    private Validated.Mark lastMark() {
        List<Validated.Mark> marks = context.forwarded().stream().map(f -> f.record().value())
                .filter(v -> v instanceof Validated.Mark).map(v -> (Validated.Mark) v).toList();
        assertThat(marks).isNotEmpty();
        return marks.get(marks.size() - 1);
    }

    /** The consumer lag, the last fetched offset and the age of the last fetch response, as the test sets them. */
    static final class Inputs implements InputLag {
        long lag;
        Long lastFetched;
        Long sinceFetch;

        @Override
        public OptionalLong lag(TopicPartition partition) {
            return partition.equals(SOURCE) ? OptionalLong.of(lag) : OptionalLong.empty();
        }

        @Override
        public OptionalLong lastFetched(TopicPartition partition) {
            return partition.equals(SOURCE) && lastFetched != null ? OptionalLong.of(lastFetched) : OptionalLong.empty();
        }

        @Override
        public OptionalLong sinceLastFetchResponse(TopicPartition partition) {
            return partition.equals(SOURCE) && sinceFetch != null ? OptionalLong.of(sinceFetch) : OptionalLong.empty();
        }
    }
}
