package com.acme.clickstream.flink.sink;

import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.util.function.SerializableSupplier;

import javax.sql.XADataSource;

/** The job's sinks. */
public final class SessionSinks {
    public static final String APPLICATION_NAME = "flink-sink-job";

    private SessionSinks() {}

    /** The exactly-once XA sink into {@code sessions}. */
    public static XaSessionSink exactlyOnce(SinkJobConfig config) {
        return exactlyOnce(config, SessionStatements.SESSIONS_TABLE);
    }

    /**
     * The exactly-once XA sink into a table shaped like {@code sessions}: {@code JdbcSink.builder()...buildExactlyOnce}
     * with {@code PGXADataSource}, one transaction per connection, no retries (a retry after a failed batch could
     * write rows twice, FLINK-22311), wrapped by {@link XaSessionSink}.
     */
    public static XaSessionSink exactlyOnce(SinkJobConfig config, String table) {
        PgConnectionSettings pg = PgConnectionSettings.of(config, APPLICATION_NAME);
        SerializableSupplier<XADataSource> xaDataSource = pg::xaDataSource;
        CheckpointAlignedXaConnectionProvider provider = new CheckpointAlignedXaConnectionProvider(xaDataSource);
        JdbcExactlyOnceOptions options = JdbcExactlyOnceOptions.builder()
                .withTransactionPerConnection(true)
                // The connector's discovery never matches pgjdbc's recovered xids; LeftoverTransactions does it.
                .withRecoveredAndRollback(false)
                .withAllowOutOfOrderCommits(false)
                .build();
        JdbcSink<SessionRow> jdbcSink = JdbcSink.<SessionRow>builder()
                .withQueryStatement(SessionStatements.insertSession(table), new SessionStatements.SessionRowStatement())
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(config.jdbcBatchSize())
                        .withBatchIntervalMs(0) // flushed by size and at each checkpoint, on the task thread only
                        .withMaxRetries(0)
                        .build())
                .buildExactlyOnce(options, provider);
        return new XaSessionSink(jdbcSink, provider, pg, new XaSessionSink.Hygiene(config.rollbackOrphanedXa(),
                config.orphanCheckInterval(), config.orphanMinAge()));
    }

    /**
     * The dead-letter sink: at-least-once (flushed at every checkpoint) into a table keyed by the records' Kafka
     * coordinates, so replays after a failure add nothing.
     */
    public static Sink<RejectedRecord> deadLetter(SinkJobConfig config) {
        return JdbcSink.<RejectedRecord>builder()
                .withQueryStatement(SessionStatements.insertRejected(config.deadLetterTable()),
                        new SessionStatements.RejectedRecordStatement())
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(100)
                        .withBatchIntervalMs(1000)
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(connectionOptions(config, APPLICATION_NAME + "-dead-letters"));
    }

    /**
     * A plain batched JDBC sink (at-least-once, {@code reWriteBatchedInserts}) into a table shaped like
     * {@code sessions}: the baseline of the benchmark, not used by the job.
     */
    public static Sink<SessionRow> atLeastOnce(SinkJobConfig config, String table) {
        return JdbcSink.<SessionRow>builder()
                .withQueryStatement(SessionStatements.insertSession(table), new SessionStatements.SessionRowStatement())
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(config.jdbcBatchSize())
                        .withBatchIntervalMs(0)
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(connectionOptions(config, APPLICATION_NAME + "-plain"));
    }

    private static JdbcConnectionOptions connectionOptions(SinkJobConfig config, String applicationName) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder builder =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(config.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(config.jdbcUser())
                        .withProperty("reWriteBatchedInserts", "true")
                        .withProperty("ApplicationName", applicationName);
        if (config.jdbcPassword() != null) {
            builder.withPassword(config.jdbcPassword());
        }
        return builder.build();
    }
}
