package com.acme.clickstream.flink.transform;

import java.time.Duration;

import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
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
 * already written within the retention away from the sink: that is a contract breach (every final session is
 * emitted once), and in the sink it would be a primary-key violation failing the XA transaction, and so the job,
 * on every replay. The copy goes to the dead-letter table and counts in {@code duplicateSessions}.
 *
 * <p>The remembered ids are keyed state, checkpointed with the Kafka offsets and the sink's transactions: after a
 * restore they are exactly the ids of the rows committed by then, so a replay after a failure is never taken for a
 * duplicate. The sink's insert stays a plain insert: a duplicate older than the retention fails it loudly instead
 * of being hidden (see the README).
 */
public final class DedupSessions extends KeyedProcessFunction<String, ParsedSession, SessionRow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DedupSessions.class);

    public static final String SESSIONS_WRITTEN = "sessionsWritten";
    public static final String DUPLICATE_SESSIONS = "duplicateSessions";

    private final Duration retention;
    private transient ValueState<Boolean> written;
    private transient Counter sessionsWritten;
    private transient Counter duplicates;
    private transient RateLimitedLog log;

    /** @param retention how long a written session_id is remembered; zero turns the check off */
    public DedupSessions(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        sessionsWritten = getRuntimeContext().getMetricGroup().counter(SESSIONS_WRITTEN);
        duplicates = getRuntimeContext().getMetricGroup().counter(DUPLICATE_SESSIONS);
        log = new RateLimitedLog(LOG, 5_000);
        if (!retention.isZero()) {
            ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("written", Types.BOOLEAN);
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
            written = getRuntimeContext().getState(descriptor);
        }
    }

    @Override
    public void processElement(ParsedSession parsed, Context ctx, Collector<SessionRow> out) throws Exception {
        if (written != null) {
            if (written.value() != null) {
                duplicates.inc();
                ctx.output(ParseSessions.REJECTED, RejectedRecord.duplicate(parsed));
                log.warn("duplicate session {} at {}/{}@{}; kept in the dead-letter table",
                        parsed.session().sessionId(), parsed.topic(), parsed.partition(), parsed.offset());
                return;
            }
            written.update(Boolean.TRUE);
        }
        sessionsWritten.inc();
        out.collect(parsed.session());
    }
}
