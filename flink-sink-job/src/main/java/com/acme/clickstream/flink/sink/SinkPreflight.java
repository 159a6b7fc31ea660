package com.acme.clickstream.flink.sink;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import com.acme.clickstream.flink.config.InvalidConfigException;
import com.acme.clickstream.flink.config.Setting;
import com.acme.clickstream.flink.config.SinkJobConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the job is submitted, what would otherwise fail every attempt of it: PostgreSQL is reachable with
 * the configured URL and user, the tables exist, and the server allows prepared transactions.
 */
public final class SinkPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(SinkPreflight.class);

    private SinkPreflight() {}

    public static void verify(SinkJobConfig config) {
        verify(config, config.parallelismOr(SinkJobConfig.DEFAULT_PARALLELISM));
    }

    /** {@code parallelism}: the job's, as its execution environment will run it. */
    public static void verify(SinkJobConfig config, int parallelism) {
        try (Connection connection = PgConnectionSettings.of(config, SessionSinks.APPLICATION_NAME + "-preflight")
                .connect(); Statement st = connection.createStatement()) {
            requireTable(st, SessionStatements.SESSIONS_TABLE, "apply the schema migrations (module schema, V1)",
                    Setting.JDBC_URL);
            requireTable(st, "flink_sink_transactions", "apply the schema migrations (module schema, V4)",
                    Setting.JDBC_URL);
            requireTable(st, config.deadLetterTable(), "apply the schema migrations (module schema, V3) or create it",
                    Setting.DEAD_LETTER_TABLE);
            int maxPrepared;
            try (ResultSet rs = st.executeQuery("select current_setting('max_prepared_transactions')::int")) {
                rs.next();
                maxPrepared = rs.getInt(1);
            }
            int needed = 2 * parallelism;
            if (maxPrepared == 0) {
                throw new InvalidConfigException("PostgreSQL at " + Setting.JDBC_URL.label() + " '" + config.jdbcUrl()
                        + "' has max_prepared_transactions = 0: the exactly-once sink needs prepared transactions; set it to at"
                        + " least " + needed + " (2 x parallelism) in postgresql.conf and restart the server");
            }
            if (maxPrepared < needed) {
                LOG.warn("max_prepared_transactions is {}, below 2 x parallelism = {}: checkpoints may fail when "
                        + "transactions of consecutive checkpoints overlap", maxPrepared, needed);
            }
        } catch (SQLException e) {
            throw new InvalidConfigException("cannot connect to PostgreSQL with " + Setting.JDBC_URL.label() + " '"
                    + config.jdbcUrl() + "' as " + Setting.JDBC_USER.label() + " '" + config.jdbcUser() + "': "
                    + e.getMessage(), e);
        }
    }

    private static void requireTable(Statement st, String table, String hint, Setting setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("select to_regclass('" + table.replace("'", "''") + "') is not null")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new InvalidConfigException("table " + table + " does not exist in the database of "
                        + setting.label() + ": " + hint);
            }
        }
    }
}
