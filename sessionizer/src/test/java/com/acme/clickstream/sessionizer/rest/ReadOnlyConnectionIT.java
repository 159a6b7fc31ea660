package com.acme.clickstream.sessionizer.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;

/**
 * The REST API's connections are read-only in autocommit mode, as the pool makes them with the driver settings of
 * application.properties: even with a role that may write (here the superuser), a write fails.
 */
class ReadOnlyConnectionIT {
    private static final String PREFIX = "quarkus.datasource.jdbc.additional-jdbc-properties.";

    @Test
    void setReadOnlyTakesEffectInAutocommitModeWithTheShippedDriverSettings() throws Exception {
        Postgres pg = TestServers.postgres();
        pg.createDatabase("read_only_it");
        Migrations.apply(pg.dataSource("read_only_it"));
        PGSimpleDataSource ds = (PGSimpleDataSource) pg.dataSource("read_only_it");
        Properties shipped = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        assertThat(shipped.getProperty(PREFIX + "readOnlyMode")).isEqualTo("always");
        ds.setProperty("readOnlyMode", shipped.getProperty(PREFIX + "readOnlyMode"));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setReadOnly(true); // as SessionsDatabase does
            assertThat(c.getAutoCommit()).isTrue();
            assertThatThrownBy(() -> st.execute("insert into flink_sink_transactions (gid, pipeline, subtask,"
                    + " checkpoint_id, job_id, row_count) values ('ro', 'p', 0, 1, 'j', 0)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        }
    }
}
