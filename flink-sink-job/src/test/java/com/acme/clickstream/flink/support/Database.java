package com.acme.clickstream.flink.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.model.SessionRow;

/** A test class's own database on the shared test PostgreSQL, migrated, with the queries the tests assert on. */
public final class Database {
    private final String name;

    private Database(String name) {
        this.name = name;
    }

    public static Database create(String name) {
        Postgres pg = TestServers.postgres();
        pg.createDatabase(name);
        Migrations.apply(pg.dataSource(name));
        return new Database(name);
    }

    /** As the superuser: for the tests' own setup and assertions. */
    public String jdbcUrl() {
        return TestServers.postgres().jdbcUrl(name);
    }

    /**
     * As the job connects in production: the sink writer role of schema V5 (no password: the test server trusts
     * local connections), so that every statement of the sink runs with that role's privileges only.
     */
    public String sinkJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + TestServers.postgres().port() + "/" + name + "?user=" + SINK_ROLE;
    }

    public static final String SINK_ROLE = "clickstream_sink";

    public DataSource dataSource() {
        return TestServers.postgres().dataSource(name);
    }

    public String name() {
        return name;
    }

    public long count(String table) {
        return queryLong("select count(*) from " + table);
    }

    public long queryLong(String sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public List<String> strings(String sql) {
        List<String> result = new ArrayList<>();
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
        return result;
    }

    public void execute(String sql) {
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** gids of the prepared transactions of this database. */
    public List<String> preparedTransactions() {
        List<String> result = new ArrayList<>();
        try (Connection c = dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("select gid from pg_prepared_xacts where database = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return result;
    }

    public List<String> sessionIds() {
        return strings("select session_id from sessions order by session_id");
    }

    /** Every row of {@code sessions} by session_id, read back into rows (all columns). */
    public Map<String, SessionRow> sessions() {
        Map<String, SessionRow> rows = new TreeMap<>();
        try (Connection c = dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select session_id, user_id, session_start, session_end, duration_ms,"
                     + " event_count, page_views, purchases, revenue, landing_page, exit_page, landing_category,"
                     + " country, segment, utm_source, utm_medium, utm_campaign, is_bounce, closed_at from sessions")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new SessionRow(rs.getString(1), rs.getString(2),
                        rs.getObject(3, java.time.OffsetDateTime.class).toInstant(),
                        rs.getObject(4, java.time.OffsetDateTime.class).toInstant(), rs.getLong(5), rs.getInt(6),
                        rs.getInt(7), rs.getInt(8), rs.getBigDecimal(9), rs.getString(10), rs.getString(11),
                        rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16),
                        rs.getString(17), rs.getBoolean(18),
                        rs.getObject(19, java.time.OffsetDateTime.class).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
