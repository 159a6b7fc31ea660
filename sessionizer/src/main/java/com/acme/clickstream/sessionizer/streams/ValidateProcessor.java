package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.acme.clickstream.sessionizer.model.InvalidReason;
import com.acme.clickstream.sessionizer.model.ValidationResult;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Validates raw click events; invalid ones carry the DLQ headers. Never throws on bad input.
 *
 * <p>It also reports its partition's progress to every partition of the repartition topic ({@link Validated.Mark}):
 * after its first record, then every {@link #MARK_INTERVAL_MS} of wall time. The marks travel behind the re-keyed
 * records forwarded before them, so a partition that has read a mark from this source has every re-keyed record this
 * source sent it up to that progress.
 */
final class ValidateProcessor implements Processor<byte[], byte[], String, Validated> {

    static final String H_REASON = "dlq.reason";
    static final String H_REASON_CODE = "dlq.reason.code";
    static final String H_TOPIC = "dlq.source.topic";
    static final String H_PARTITION = "dlq.source.partition";
    static final String H_OFFSET = "dlq.source.offset";

    private static final Logger LOG = Logger.getLogger(ValidateProcessor.class);
    /** The key of a mark: no user id is empty, and the repartition step drops records without a key. */
    static final String MARK_KEY = "";
    /** How often a source reports its progress: how long a partition may hold back finalization for it. */
    static final long MARK_INTERVAL_MS = 100;
    /** An unchanged report is sent again this often: a partition's task that starts anew learns it from these. */
    static final long HEARTBEAT_MS = 1_000;
    /**
     * How long after its first report a task that has fetched nothing (or whose fetches are unknown) counts as having
     * nothing buffered: its consumer's lag may still be from before the task started.
     */
    static final long START_CHECK_MS = 10_000;
    /** A fetch response at most this old is a current view of the partition (the consumer long-polls for 500 ms). */
    static final long FETCH_FRESH_MS = 1_500;
    /**
     * After a gap in fetch responses (the broker unreachable, or the thread stalled), how long the partition must be
     * seen empty in current responses before it is quiet again: producers that held records back during the gap
     * reconnect and send them within their reconnect backoff (at most 1 s by default).
     */
    static final long RECONNECT_SETTLE_MS = 3_000;
    private static final long NONE = Long.MIN_VALUE;

    private final EventValidator validator;
    private final SessionizerMetrics metrics;
    private final PartitionCounts partitionCounts;
    private final String eventsTopic;
    private final InputLag inputLag;
    private ProcessorContext<String, Validated> context;
    private TopicPartition source;
    private Cancellable reporter;
    /** Of the source topic; learned at the first record or report (0: not yet). */
    private int sourcePartitions;
    /** The largest record timestamp processed on this partition (NONE: none yet). */
    private long progress;
    private boolean reported;
    private boolean processedSinceReport;
    /** Offset of the last record processed since init (-1: none). */
    private long lastOffset;
    /** Whether the last report found no current fetch response. */
    private boolean fetchGap;
    /** Wall time before which the partition is not quiet, after a gap in fetch responses (NONE: none). */
    private long settleUntil;
    /** Wall time of the last report (NONE: none since init). */
    private long lastReportWall;
    /** Wall time of the first report since init (NONE: none yet). */
    private long firstReportWall;
    /** The last mark sent: what it said and when. */
    private long sentProgress;
    private boolean sentQuiet;
    private boolean sentBehind;
    private long sentWall;

    ValidateProcessor(EventValidator validator, SessionizerMetrics metrics, PartitionCounts partitionCounts,
                      String eventsTopic, InputLag inputLag) {
        this.validator = validator;
        this.metrics = metrics;
        this.partitionCounts = partitionCounts;
        this.eventsTopic = eventsTopic;
        this.inputLag = inputLag;
    }

    @Override
    public void init(ProcessorContext<String, Validated> context) {
        this.context = context;
        source = new TopicPartition(eventsTopic, context.taskId().partition());
        progress = NONE;
        reported = false;
        processedSinceReport = false;
        lastOffset = -1;
        fetchGap = false;
        settleUntil = NONE;
        lastReportWall = NONE;
        firstReportWall = NONE;
        sentWall = NONE;
        reporter = context.schedule(Duration.ofMillis(MARK_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME,
                now -> report());
    }

    @Override
    public void close() {
        if (reporter != null) {
            reporter.cancel();
            reporter = null;
        }
    }

    /**
     * Sends this partition's progress to every partition. Active, it holds back the finalization of every partition
     * at that progress; quiet (nothing processed since the last report and nothing left to consume), it holds back
     * none. A consumer lag of 0 alone is not quiet: it is the last stable offset minus the consumer's position, and
     * records the consumer has handed to Kafka Streams' buffer (up to a thousand per partition) are past the position
     * but not processed. So a partition is quiet only if, in addition, the last record fetched for its task is the
     * last one processed. Nothing processed in the last interval is no proof: after a start a task may wait seconds
     * before it processes the first buffered record (state restored, the schedule rebuilt, other tasks first).
     * The mark's record timestamp is the progress it reports (0 before any): Kafka Streams merges a task's inputs by
     * record timestamp, so a partition reads the marks about in step with the records they confirm. A mark stamped
     * with the wall clock would wait behind the whole backlog of older records, and every mark behind it too.
     */
    private void report() {
        if (sourcePartitions == 0) {
            sourcePartitions = partitionCounts.partitions(eventsTopic, context.appConfigs());
        }
        long now = context.currentSystemTimeMs();
        if (firstReportWall == NONE) {
            firstReportWall = now;
        }
        OptionalLong lag = inputLag.lag(source);
        // Behind: records to process, on the broker (lag) or fetched into Kafka Streams' buffer and not processed yet
        // (a lag of 0 counts fetched records as consumed); either way what it re-keys is not on its way yet.
        boolean behind = lag.isPresent() && lag.getAsLong() > 0 || buffered(now);
        boolean current = currentView(now);
        lastReportWall = now;
        boolean quiet = !processedSinceReport && !behind && current;
        processedSinceReport = false;
        // Only what changed, and a heartbeat: marks go to every partition, and each is read by every task.
        if (reported && progress == sentProgress && quiet == sentQuiet && behind == sentBehind
                && now - sentWall < HEARTBEAT_MS) {
            return;
        }
        reported = true;
        sentProgress = progress;
        sentQuiet = quiet;
        sentBehind = behind;
        sentWall = now;
        context.forward(new Record<>(MARK_KEY, (Validated) new Validated.Mark(source.partition(), sourcePartitions,
                progress, quiet, behind, now), Math.max(0, progress)));
    }

    /**
     * Whether records fetched for this task wait unprocessed. Before its first fetch, or without metadata of the
     * task, it cannot tell, so it counts as buffered for {@link #START_CHECK_MS} after its first report: a revived
     * task's consumer was rewound to the last commit, and its lag still reads as before until the next fetch; and a
     * task just restored may process records before it appears in Kafka Streams' thread metadata (0.6 s after a
     * restart in {@code RunCommandCrashIT}), while its consumer may already have fetched the rest of a backlog (lag 0)
     * into the buffer. That it has processed records says nothing about that rest.
     */
    private boolean buffered(long now) {
        OptionalLong fetched = inputLag.lastFetched(source);
        if (fetched.isPresent() && fetched.getAsLong() >= 0) {
            return fetched.getAsLong() > lastOffset;
        }
        return inputLag != InputLag.UNKNOWN && now - firstReportWall < START_CHECK_MS;
    }

    /**
     * Whether the consumer's view of the partition is current: a fetch response arrived lately, and not only just
     * after a gap in them. While the broker is unreachable the lag keeps its last value, 0 for a caught-up partition,
     * and the producers hold their records back; the first responses after it may come before their burst is
     * appended. A quiet mark then would let every partition finalize past the records this one re-keys from that
     * burst. Unknown (no such metric): current, as without it.
     */
    private boolean currentView(long now) {
        OptionalLong since = inputLag.sinceLastFetchResponse(source);
        if (since.isEmpty()) {
            return true;
        }
        // The age of the last response is only known as of the moment someone asked: a stream thread that was
        // blocked through an outage (a commit waiting for the broker) asks again only once responses flow again,
        // and then sees a fresh one. Not having looked for that long is a gap too.
        boolean unobserved = lastReportWall != NONE && now - lastReportWall > FETCH_FRESH_MS;
        if (since.getAsLong() > FETCH_FRESH_MS || unobserved) {
            fetchGap = true;
            return false;
        }
        if (fetchGap) {
            fetchGap = false;
            settleUntil = now + RECONNECT_SETTLE_MS;
        }
        return settleUntil == NONE || now >= settleUntil;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        route(record);
        progress = Math.max(progress, record.timestamp());
        RecordMetadata meta = context.recordMetadata().orElse(null);
        if (meta != null) {
            lastOffset = meta.offset();
        }
        processedSinceReport = true;
        if (!reported) {
            report(); // before the first interval: partitions hold back finalization until every source reported
        }
    }

    private void route(Record<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            metrics.nullValues.increment();
            return;
        }
        ValidationResult result;
        try {
            result = validator.validate(value, context.currentSystemTimeMs(), true);
        } catch (RuntimeException e) {
            // Defensive: a validator bug must not stop the service; the record is kept in the DLQ.
            LOG.warnf(e, "validation failed unexpectedly");
            result = new ValidationResult.Invalid(InvalidReason.NOT_JSON, "cannot validate: " + e);
        }
        if (result instanceof ValidationResult.Valid v) {
            // One new record (each with* copies the headers).
            context.forward(new Record<>(v.userId(), (Validated) new Validated.ValidEvent(v.userId(), v.event(), value,
                    onItsUsersPartition(record.key(), v.userId())), record.timestamp(), record.headers()));
        } else {
            ValidationResult.Invalid inv = (ValidationResult.Invalid) result;
            metrics.invalid(inv.reason());
            // The wall clock as record time: a DLQ record of replayed old data must not be deleted by the topic's
            // retention before anyone reads it.
            context.forward(new Record<>((String) null,
                    (Validated) new Validated.InvalidRecord(record.key(), value, inv.reason(), inv.message()),
                    context.currentSystemTimeMs(), dlqHeaders(record.headers(), inv)));
        }
    }

    /**
     * Keyed by its user id, and on the partition Kafka's default partitioner gives that key: only then is the record
     * already where its user's events are sessionized. Key equality alone is not enough: a producer with another
     * partitioner, or one choosing partitions itself, puts correctly keyed records elsewhere.
     */
    private boolean onItsUsersPartition(byte[] key, String userId) {
        if (key == null || !Arrays.equals(key, userId.getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        Optional<RecordMetadata> meta = context.recordMetadata();
        if (meta.isEmpty()) {
            return true;
        }
        if (sourcePartitions == 0) {
            sourcePartitions = partitionCounts.partitions(meta.get().topic(), context.appConfigs());
        }
        // The default partitioner's choice for a keyed record (BuiltInPartitioner.partitionForKey).
        return sourcePartitions == 1 || Utils.toPositive(Utils.murmur2(key)) % sourcePartitions == meta.get().partition();
    }

    private Headers dlqHeaders(Headers original, ValidationResult.Invalid inv) {
        // A copy: the input record's headers object must not be changed.
        Headers h = new RecordHeaders(original.toArray());
        put(h, H_REASON, inv.message());
        put(h, H_REASON_CODE, inv.reason().code());
        Optional<RecordMetadata> meta = context.recordMetadata();
        if (meta.isPresent()) {
            put(h, H_TOPIC, meta.get().topic());
            put(h, H_PARTITION, Integer.toString(meta.get().partition()));
            put(h, H_OFFSET, Long.toString(meta.get().offset()));
        }
        return h;
    }

    private static void put(Headers h, String key, String value) {
        h.remove(key);
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
