package com.acme.clickstream.flink.transform;

import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.RejectedRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON to row. A record that is not a session of the contract never fails the job and is never dropped silently:
 * it goes to the {@link #REJECTED} side output (the dead-letter table) and counts in {@code malformedRecords}.
 * Its log line is rate-limited, the table holds every one.
 */
public final class ParseSessions extends ProcessFunction<RawSessionRecord, ParsedSession> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ParseSessions.class);

    public static final OutputTag<RejectedRecord> REJECTED = new OutputTag<>("rejected-sessions") {};
    public static final String MALFORMED_RECORDS = "malformedRecords";

    private transient Counter malformed;
    private transient RateLimitedLog log;

    @Override
    public void open(OpenContext openContext) {
        malformed = getRuntimeContext().getMetricGroup().counter(MALFORMED_RECORDS);
        log = new RateLimitedLog(LOG, 5_000);
    }

    @Override
    public void processElement(RawSessionRecord record, Context ctx, Collector<ParsedSession> out) {
        SessionJsonParser.Result result = SessionJsonParser.parse(record.value());
        if (result instanceof SessionJsonParser.Valid valid) {
            out.collect(new ParsedSession(valid.row(), record.topic(), record.partition(), record.offset(),
                    record.timestamp()));
        } else {
            SessionJsonParser.Invalid invalid = (SessionJsonParser.Invalid) result;
            malformed.inc();
            ctx.output(REJECTED, RejectedRecord.malformed(record, invalid.sessionId(), invalid.reason()));
            log.warn("malformed session record at {} (session_id {}): {}; kept in the dead-letter table",
                    record.coordinates(), invalid.sessionId(), invalid.reason());
        }
    }
}
