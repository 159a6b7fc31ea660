package com.acme.clickstream.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The roles of V5 on a real server: each job's role can run every statement of that job and nothing that it must
 * not (the tables and views it has no business with, DDL, writes by the readers), and carries its server-side
 * bounds. Also the way Kubernetes runs the migrations: as a schema owner who is neither superuser nor allowed to
 * create roles, with the roles created beforehand (CloudNativePG) and the owner a member of the job roles.
 */
class SchemaRolesIT {
    private static final String DB = "roles_it";
    private static final String INSERT_SESSION = "insert into sessions (session_id, user_id, session_start, session_end,"
            + " duration_ms, event_count, page_views, purchases, revenue, is_bounce, closed_at) values ('%s', 'u1',"
            + " '2026-11-24T10:00:00Z', '2026-11-24T10:01:00Z', 60000, 2, 1, 0, 0, false, '2026-11-24T10:40:00Z')";
    private static final String INSERT_REJECTED = "insert into sessions_rejected (kafka_topic, kafka_partition,"
            + " kafka_offset, reason, session_id) values ('t', 0, 7, 'duplicate: x', 's1')"
            + " on conflict (kafka_topic, kafka_partition, kafka_offset) do nothing";
    private static final String INSERT_MARKER = "insert into flink_sink_transactions (gid, pipeline, subtask,"
            + " checkpoint_id, job_id, row_count) values ('g1', 'p', 0, 1, 'j', 1)";
    private static final String PERMISSION_DENIED = "42501";
    private static final String READ_ONLY = "25006";

    @BeforeAll
    static void migrate() {
        Postgres pg = TestServers.postgres();
        pg.createDatabase(DB);
        Migrations.apply(pg.dataSource(DB));
        execute("postgres", "truncate sessions, sessions_rejected, flink_sink_transactions");
        execute("postgres", INSERT_SESSION.formatted("s1"));
    }

    @Test
    void theSinkRunsItsStatementsAndNothingElse() throws Exception {
        try (Connection c = connect("clickstream_sink"); Statement st = c.createStatement()) {
            // SessionCopy: which session_ids are present, then COPY of the rest; a dead letter; its markers.
            assertThat(strings(st, "select session_id from sessions where session_id = any('{s1,s2}')"))
                    .containsExactly("s1");
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class)).copyIn(
                    "copy sessions (session_id, user_id, session_start, session_end, duration_ms, event_count,"
                            + " page_views, purchases, revenue, is_bounce, closed_at) from stdin",
                    new java.io.StringReader("s2\tu2\t2026-11-24 10:00:00+00\t2026-11-24 10:01:00+00\t60000\t2\t1\t0"
                            + "\t0\tf\t2026-11-24 10:40:00+00\n"));
            st.execute(INSERT_REJECTED);
            st.execute(INSERT_REJECTED); // a replay of the at-least-once dead letters adds nothing
            st.execute(INSERT_MARKER);
            assertThat(strings(st, "select 1 from flink_sink_transactions where gid = 'g1'")).containsExactly("1");
            assertThat(st.executeUpdate("delete from flink_sink_transactions where pipeline = 'p'"
                    + " and prepared_at < now() + interval '1 second'")).isEqualTo(1);
            assertThat(strings(st, "select count(*) from pg_prepared_xacts")).hasSize(1);
            assertThat(strings(st, "show idle_in_transaction_session_timeout")).containsExactly("15min");

            // What a session holds is not the sink's to read, nor the views, nor the dead letters' content.
            for (String sql : List.of("select user_id from sessions", "select * from sessions",
                    "select * from bi_daily_sessions", "select reason from sessions_rejected",
                    "update sessions set revenue = 1", "delete from sessions", "truncate flink_sink_transactions",
                    "update flink_sink_transactions set row_count = 0", "delete from sessions_rejected",
                    "create table sink_made (a int)", "drop table flink_sink_transactions",
                    "create index sink_idx on sessions (user_id)", "alter table sessions add column x int",
                    "select * from flyway_schema_history")) {
                assertDenied(st, sql, PERMISSION_DENIED);
            }
        }
        assertThat(strings("postgres", "select session_id from sessions order by 1")).containsExactly("s1", "s2");
    }

    @Test
    void theApiReadsTheTableAndTheViewsOnlyReadOnlyAndBounded() throws Exception {
        try (Connection c = connect("clickstream_api"); Statement st = c.createStatement()) {
            assertThat(strings(st, "select session_id from sessions where session_id = 's1'")).containsExactly("s1");
            for (String view : List.of("bi_daily_sessions", "bi_user_daily_sessions", "bi_top_landing_pages",
                    "bi_channels")) {
                st.executeQuery("select * from " + view).close();
            }
            assertThat(strings(st, "show statement_timeout")).containsExactly("10s");
            assertThat(strings(st, "show default_transaction_read_only")).containsExactly("on");
            // In autocommit mode, where the driver's setReadOnly(true) sends nothing: still read-only.
            assertThat(c.getAutoCommit()).isTrue();
            for (String sql : List.of(INSERT_SESSION.formatted("api"), "delete from sessions",
                    "create table api_made (a int)", "create temp table api_tmp (a int)")) {
                assertDenied(st, sql, READ_ONLY);
            }
            for (String sql : List.of("select * from sessions_rejected", "select * from flink_sink_transactions",
                    "select * from flyway_schema_history")) {
                assertDenied(st, sql, PERMISSION_DENIED);
            }
        }
    }

    @Test
    void biReaderReadsTheTableAndTheViewsOnly() throws Exception {
        try (Connection c = connect("bi_reader"); Statement st = c.createStatement()) {
            assertThat(strings(st, "select count(*) from bi_channels")).containsExactly("1");
            assertThat(strings(st, "select session_id from sessions where session_id = 's1'")).containsExactly("s1");
            for (String sql : List.of("select * from sessions_rejected", "select * from flink_sink_transactions",
                    INSERT_SESSION.formatted("bi"), "create table bi_made (a int)")) {
                assertDenied(st, sql, PERMISSION_DENIED);
            }
        }
    }

    @Test
    void theMigrationsRunAsANonSuperuserOwnerWhenTheRolesExistAndItIsAMemberOfThem() throws Exception {
        // CloudNativePG: the owner of the application database, and the managed roles (postgres.yaml).
        execute("postgres", "do $$ begin if not exists (select from pg_roles where rolname = 'schema_owner_it')"
                + " then create role schema_owner_it login; end if; end $$");
        execute("postgres", "grant clickstream_api, clickstream_sink to schema_owner_it");
        String owned = "roles_owner_it";
        TestServers.postgres().createDatabase(owned);
        execute("postgres", "alter database " + owned + " owner to schema_owner_it");
        PGSimpleDataSource asOwner = dataSource(owned, "schema_owner_it");
        assertThat(Migrations.apply(asOwner)).isEqualTo(6);
        try (Connection c = dataSource(owned, "clickstream_api").getConnection(); Statement st = c.createStatement()) {
            st.executeQuery("select * from bi_daily_sessions").close();
            assertDenied(st, "select * from flink_sink_transactions", PERMISSION_DENIED);
        }
        try (Connection c = dataSource(owned, "clickstream_sink").getConnection(); Statement st = c.createStatement()) {
            st.execute(INSERT_MARKER);
            assertDenied(st, "select user_id from sessions", PERMISSION_DENIED);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static void assertDenied(Statement st, String sql, String sqlState) {
        assertThatThrownBy(() -> st.execute(sql)).as(sql).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(sql + ": " + e.getMessage()).isEqualTo(sqlState));
    }

    private static Connection connect(String user) throws SQLException {
        return dataSource(DB, user).getConnection();
    }

    private static PGSimpleDataSource dataSource(String database, String user) {
        PGSimpleDataSource ds = (PGSimpleDataSource) TestServers.postgres().dataSource(database);
        ds.setUser(user);
        return ds;
    }

    private static void execute(String user, String sql) {
        try (Connection c = connect(user); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static List<String> strings(String user, String sql) throws SQLException {
        try (Connection c = connect(user); Statement st = c.createStatement()) {
            return strings(st, sql);
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> result = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }
}
