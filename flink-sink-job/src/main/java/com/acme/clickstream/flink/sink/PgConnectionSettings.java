package com.acme.clickstream.flink.sink;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import com.acme.clickstream.flink.config.SecretRef;
import com.acme.clickstream.flink.config.SinkJobConfig;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;

/**
 * How the job's operators reach PostgreSQL (shipped with the job graph to the task managers). The URL may carry
 * further pgjdbc properties; user and password set here win over the URL's. The password is only referenced
 * ({@link SecretRef}): it is read each time a connection is opened, in the process that opens it.
 */
public record PgConnectionSettings(String url, String user, SecretRef password, String applicationName)
        implements Serializable {

    public static PgConnectionSettings of(SinkJobConfig config, String applicationName) {
        return new PgConnectionSettings(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(), applicationName);
    }

    /**
     * A data source with the password read now.
     *
     * @throws SecretRef.MissingSecretException when the password's variable or file is not in this process
     */
    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        configure(ds);
        return ds;
    }

    /** A plain autocommit connection (hygiene queries, preflight checks). */
    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    /**
     * A connection of the exactly-once sink whose waits are bounded, so that a blocked write fails (and the job
     * restarts) instead of hanging in the driver, where a task cannot be cancelled:
     * <ul>
     *   <li>{@code lock_timeout}: a row lock held by another session (a dead TaskManager's, a foreign prepared
     *       transaction) fails the statement after this long;</li>
     *   <li>{@code idle_in_transaction_session_timeout}: if this client vanishes (host lost, no FIN), the server
     *       ends the session and its open transaction, releasing the keys it inserted, after this long. An open
     *       transaction of the sink is idle at most between two writes of one checkpoint interval, so the caller
     *       passes interval + checkpoint timeout;</li>
     *   <li>the socket read timeout: a server that stops answering (network partition, a synchronous standby gone)
     *       fails the call after lock timeout + 60 s.</li>
     * </ul>
     */
    public Connection connect(Duration lockTimeout, Duration idleInTransactionTimeout) throws SQLException {
        PGSimpleDataSource ds = dataSource();
        ds.setSocketTimeout((int) Math.min(Integer.MAX_VALUE, lockTimeout.plusSeconds(60).toSeconds()));
        Connection connection = ds.getConnection();
        try (Statement st = connection.createStatement()) {
            st.execute("set lock_timeout = " + lockTimeout.toMillis());
            st.execute("set idle_in_transaction_session_timeout = " + idleInTransactionTimeout.toMillis());
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private void configure(BaseDataSource ds) {
        ds.setUrl(url);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password.resolve());
        }
        ds.setApplicationName(applicationName);
        ds.setReWriteBatchedInserts(true);
        ds.setTcpKeepAlive(true);
        ds.setConnectTimeout(10);
    }

    @Override
    public String toString() {
        return "PgConnectionSettings[url=" + url + ", user=" + user + ", password="
                + (password == null ? "(none)" : password) + ", applicationName=" + applicationName + "]";
    }
}
