package com.acme.clickstream.flink.sink;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;

import com.acme.clickstream.flink.config.SinkJobConfig;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * How the job's operators reach PostgreSQL (shipped with the job graph to the task managers). The URL may carry
 * further pgjdbc properties; user and password set here win over the URL's.
 */
public record PgConnectionSettings(String url, String user, String password, String applicationName)
        implements Serializable {

    public static PgConnectionSettings of(SinkJobConfig config, String applicationName) {
        return new PgConnectionSettings(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword(), applicationName);
    }

    /**
     * The XA data source of the exactly-once sink. Batched inserts are rewritten into multi-row inserts
     * ({@code reWriteBatchedInserts}), as for the plain batched sink: the XA sink pays only for prepare/commit.
     */
    public PGXADataSource xaDataSource() {
        PGXADataSource ds = new PGXADataSource();
        configure(ds);
        return ds;
    }

    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        configure(ds);
        return ds;
    }

    /** A plain autocommit connection (hygiene queries, preflight checks). */
    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    private void configure(BaseDataSource ds) {
        ds.setUrl(url);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        ds.setApplicationName(applicationName);
        ds.setReWriteBatchedInserts(true);
        ds.setTcpKeepAlive(true);
        ds.setConnectTimeout(10);
    }

    @Override
    public String toString() {
        return "PgConnectionSettings[url=" + url + ", user=" + user + ", password="
                + (password == null ? "(none)" : "(set)") + ", applicationName=" + applicationName + "]";
    }
}
