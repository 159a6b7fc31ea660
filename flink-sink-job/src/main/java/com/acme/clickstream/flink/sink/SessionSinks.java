package com.acme.clickstream.flink.sink;

import java.time.Duration;
import java.util.Properties;

import com.acme.clickstream.flink.config.SecretRef;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;

/** The job's sinks. */
public final class SessionSinks {
    public static final String APPLICATION_NAME = "flink-sink-job";

    private SessionSinks() {}

    /**
     * How long {@code flink_sink_transactions} rows are kept: a commit is only retried from a retained checkpoint or
     * savepoint, and one restored after more than a week would report its long-committed gids as lost.
     */
    public static final Duration MARKER_RETENTION = Duration.ofDays(7);

    /** The exactly-once sink into {@code sessions}. */
    public static PgTwoPhaseCommitSink exactlyOnce(SinkJobConfig config) {
        return exactlyOnce(config, SessionStatements.SESSIONS_TABLE);
    }

    /**
     * The exactly-once sink into a table shaped like {@code sessions}: one {@code COPY} per
     * {@code --jdbc-batch-size} records, prepared per checkpoint, waits bounded by {@code --lock-timeout}.
     */
    public static PgTwoPhaseCommitSink exactlyOnce(SinkJobConfig config, String table) {
        return new PgTwoPhaseCommitSink(new PgTwoPhaseCommitSink.Settings(
                PgConnectionSettings.of(config, APPLICATION_NAME), table, config.pipelineName(),
                config.jdbcBatchSize(), config.lockTimeout(),
                config.checkpointInterval().plus(config.checkpointTimeout()), MARKER_RETENTION));
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

    /** The connector's connection provider, its password read on the TaskManager when it connects. */
    private static JdbcConnectionProvider connectionOptions(SinkJobConfig config, String applicationName) {
        JdbcConnectionOptions options = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(config.jdbcUrl())
                .withDriverName("org.postgresql.Driver")
                .withUsername(config.jdbcUser())
                .withProperty("reWriteBatchedInserts", "true")
                .withProperty("ApplicationName", applicationName)
                .build();
        return new RuntimePasswordConnectionProvider(options, config.jdbcPassword());
    }

    /**
     * The connector's plain connection provider, whose connection properties get the password when a connection is
     * opened ({@code getOrEstablishConnection} reads them through {@link #getProperties()}): the job graph holds
     * only where the password is.
     */
    static final class RuntimePasswordConnectionProvider extends SimpleJdbcConnectionProvider {
        private static final long serialVersionUID = 1L;

        private final SecretRef password;

        RuntimePasswordConnectionProvider(JdbcConnectionOptions options, SecretRef password) {
            super(options);
            this.password = password;
        }

        @Override
        public Properties getProperties() {
            Properties properties = new Properties();
            properties.putAll(super.getProperties());
            if (password != null) {
                properties.setProperty(JdbcConnectionOptions.PASSWORD_KEY, password.resolve());
            }
            return properties;
        }
    }
}
