package com.acme.clickstream.flink.transform;

import java.time.Duration;

import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step before the sink, keyed by session_id (so one session's writes always land on one sink subtask).
 * It counts the records handed to the sink ({@code sessionsWritten}) and keeps a second record with a session_id
 * already written away from the sink: that is a contract breach (every final session is emitted once). The copy
 * goes to the dead-letter table and counts in {@code duplicateSessions}.
 *
 * <p>A written session_id is remembered for the retention <em>in Kafka time</em>: the entry holds the first copy's
 * Kafka timestamp and is dropped by an event-time timer once the watermark (from the records' Kafka timestamps)
 * passes that timestamp plus the retention. Processing time would expire every entry during a downtime longer than
 * the retention, and the copies in the replay after it would no longer be recognised; the watermark does not move
 * while the job is down. The remembered ids are keyed state, checkpointed with the Kafka offsets and the sink's
 * transactions, so a replay after a failure is never taken for a duplicate. A copy arriving after its entry expired
 * reaches the sink, whose insert keeps the existing row and counts it ({@code sessionsAlreadyPresent}).
 */
public final class DedupSessions extends KeyedProcessFunction<String, ParsedSession, SessionRow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DedupSessions.class);

    public static final String SESSIONS_WRITTEN = "sessionsWritten";
    public static final String DUPLICATE_SESSIONS = "duplicateSessions";

    private final long retentionMs;
    private transient ValueState<Long> firstSeen;
    private transient Counter sessionsWritten;
    private transient Counter duplicates;
    private transient RateLimitedLog log;

    /** @param retention how long, in Kafka time, a written session_id is remembered; zero turns the check off */
    public DedupSessions(Duration retention) {
        this.retentionMs = retention.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        sessionsWritten = getRuntimeContext().getMetricGroup().counter(SESSIONS_WRITTEN);
        duplicates = getRuntimeContext().getMetricGroup().counter(DUPLICATE_SESSIONS);
        log = new RateLimitedLog(LOG, 5_000);
        if (retentionMs > 0) {
            firstSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("first-seen-kafka-ts", Types.LONG));
        }
    }

    @Override
    public void processElement(ParsedSession parsed, Context ctx, Collector<SessionRow> out) throws Exception {
        if (firstSeen != null) {
            if (firstSeen.value() != null) {
                duplicates.inc();
                ctx.output(ParseSessions.REJECTED, RejectedRecord.duplicate(parsed));
                log.warn("duplicate session {} at {}/{}@{}; kept in the dead-letter table",
                        parsed.session().sessionId(), parsed.topic(), parsed.partition(), parsed.offset());
                return;
            }
            // A record without a Kafka timestamp expires with the watermark as it is now.
            long seen = Math.max(parsed.timestamp(), ctx.timerService().currentWatermark());
            firstSeen.update(seen);
            ctx.timerService().registerEventTimeTimer(saturatedAdd(seen, retentionMs));
        }
        sessionsWritten.inc();
        out.collect(parsed.session());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionRow> out) {
        firstSeen.clear();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
