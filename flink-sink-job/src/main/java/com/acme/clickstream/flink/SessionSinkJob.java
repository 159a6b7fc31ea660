package com.acme.clickstream.flink;

import java.time.Duration;

import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.ParsedSession;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.transform.DedupSessions;
import com.acme.clickstream.flink.transform.ParseSessions;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job: final sessions from Kafka into the table {@code sessions}, each exactly once.
 *
 * <pre>
 * source (Kafka, read_committed) ─▶ parse-session-json ─keyBy(session_id)─▶ dedup-sessions ─▶ sessions-pg-2pc-sink
 *                                        │ malformed                              │ duplicate
 *                                        └────────────────▶ sessions-rejected-sink ◀┘
 * </pre>
 *
 * The source and the sessions sink are parameters, so that tests (and the benchmark) can pass their own; the
 * dead-letter sink defaults to the PostgreSQL table of the configuration. {@link #build} also sets checkpointing
 * (exactly-once, retained on cancellation), the restart strategy and, when it is set, the parallelism on the environment.
 */
public final class SessionSinkJob {
    public static final String SOURCE_UID = "kafka-sessions-source";
    public static final String PARSE_UID = "parse-session-json";
    public static final String DEDUP_UID = "dedup-sessions";
    public static final String SINK_UID = "sessions-pg-2pc-sink";
    public static final String DEAD_LETTER_UID = "sessions-rejected-sink";

    private final SinkJobConfig config;

    public SessionSinkJob(SinkJobConfig config) {
        this.config = config;
    }

    public SinkJobConfig config() {
        return config;
    }

    /** Adds the job to {@code env} with the dead-letter table of the configuration; returns {@code env}. */
    public StreamExecutionEnvironment build(StreamExecutionEnvironment env, Source<RawSessionRecord, ?, ?> source,
            Sink<SessionRow> sink) {
        return build(env, source, sink, SessionSinks.deadLetter(config));
    }

    public StreamExecutionEnvironment build(StreamExecutionEnvironment env, Source<RawSessionRecord, ?, ?> source,
            Sink<SessionRow> sink, Sink<RejectedRecord> deadLetters) {
        env.configure(configuration(config));
        // Unset, the environment's default stays: under the Kubernetes operator that is spec.job.parallelism.
        config.parallelismSetting().ifPresent(env::setParallelism);

        DataStream<RawSessionRecord> records = env
                .fromSource(source, watermarks(), "kafka: " + config.topic())
                .uid(SOURCE_UID);

        SingleOutputStreamOperator<ParsedSession> parsed = records
                .process(new ParseSessions(), TypeInformation.of(ParsedSession.class))
                .name(PARSE_UID)
                .uid(PARSE_UID);

        // Keyed by session_id: every write of one session lands on the same sink subtask.
        SingleOutputStreamOperator<SessionRow> sessions = parsed
                .keyBy(p -> p.session().sessionId(), TypeInformation.of(String.class))
                .process(new DedupSessions(config.dedupRetention()), TypeInformation.of(SessionRow.class))
                .name(DEDUP_UID)
                .uid(DEDUP_UID);

        sessions.sinkTo(sink).name(SINK_UID).uid(SINK_UID);

        parsed.getSideOutput(ParseSessions.REJECTED)
                .union(sessions.getSideOutput(ParseSessions.REJECTED))
                .sinkTo(deadLetters)
                .name(DEAD_LETTER_UID)
                .uid(DEAD_LETTER_UID);
        return env;
    }

    /**
     * Event time is the records' Kafka timestamp; it only drives the expiry of the dedup state (see
     * {@link DedupSessions}). A partition without records for a minute stops holding the watermark back, so that an
     * empty partition does not keep every dedup entry forever.
     */
    static WatermarkStrategy<RawSessionRecord> watermarks() {
        return WatermarkStrategy.<RawSessionRecord>forBoundedOutOfOrderness(Duration.ZERO)
                .withTimestampAssigner((record, previous) -> record.timestamp() >= 0 ? record.timestamp() : previous)
                .withIdleness(Duration.ofMinutes(1));
    }

    /**
     * The job-level Flink configuration: exactly-once checkpoints at the configured interval, retained when the job
     * is cancelled (so that it can be started again from them), a restart strategy, and no silent Kryo fallback.
     */
    public static Configuration configuration(SinkJobConfig config) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.checkpointTimeout());
        // One checkpoint at a time: each sink subtask then holds at most two prepared transactions (one waiting for
        // its commit, one just prepared), which is what max_prepared_transactions is sized for. A failed checkpoint
        // fails the job rather than piling up prepared transactions until a later one completes.
        conf.set(CheckpointingOptions.MAX_CONCURRENT_CHECKPOINTS, 1);
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        config.checkpointUri().ifPresent(dir -> {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        });

        // Restart after any failure (a PostgreSQL or Kafka outage included), backing off to 30 s between attempts.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofMillis(500));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, Integer.MAX_VALUE);

        conf.set(PipelineOptions.MAX_PARALLELISM, SinkJobConfig.MAX_PARALLELISM);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }
}
