package com.acme.clickstream.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The bench's latency from a session's closed_at to the moment its row became visible, read from the commit times
 * PostgreSQL records (the local stack's server runs with track_commit_timestamp), on the shared real server: a row
 * written by a prepared transaction counts from its COMMIT PREPARED, not from its insert; a row still prepared and a
 * row committed before the run are not counted.
 */
class CommitLatencyIT {
    private static final String DB = "loadtest_commit_latency";
    private static final String INSERT = "insert into sessions (session_id, user_id, session_start, session_end,"
            + " duration_ms, event_count, page_views, purchases, revenue, is_bounce, closed_at) values ('%s', 'u1',"
            + " '2026-11-24T10:00:00Z', '2026-11-24T10:01:00Z', 60000, 2, 1, 0, 0, false,"
            + " clock_timestamp() - interval '1500 milliseconds')";
    /** How long the prepared transaction waits, on the server's clock, before COMMIT PREPARED. */
    private static final long HELD_MS = 300;

    @Test
    void aRowCountsFromTheCommitOfItsTransactionAndOnlyOnceCommittedInTheRun() throws Exception {
        Postgres pg = TestServers.postgres();
        pg.createDatabase(DB);
        Migrations.apply(pg.dataSource(DB));
        try (Connection c = pg.dataSource(DB).getConnection(); Statement st = c.createStatement()) {
            st.execute("truncate sessions");
            assertThat(text(st, "show track_commit_timestamp")).isEqualTo("on");
            st.execute(INSERT.formatted("before-the-run"));
            Timestamp since = timestamp(st, "select clock_timestamp()");

            st.execute(INSERT.formatted("plain"));
            c.setAutoCommit(false);
            st.execute(INSERT.formatted("prepared-then-committed"));
            st.execute("prepare transaction 'commit-latency-it-1'");
            c.setAutoCommit(true);
            Timestamp prepared = timestamp(st, "select clock_timestamp()");
            awaitServerClockPast(st, prepared, HELD_MS);
            st.execute("commit prepared 'commit-latency-it-1'");
            c.setAutoCommit(false);
            st.execute(INSERT.formatted("still-prepared"));
            st.execute("prepare transaction 'commit-latency-it-2'");
            c.setAutoCommit(true);

            try {
                Map<String, Long> expected = new HashMap<>();
                try (ResultSet rs = st.executeQuery("select session_id, round(extract(epoch from"
                        + " pg_xact_commit_timestamp(xmin) - closed_at) * 1000)::bigint from sessions")) {
                    while (rs.next()) {
                        expected.put(rs.getString(1), rs.getLong(2));
                    }
                }
                assertThat(expected).containsOnlyKeys("before-the-run", "plain", "prepared-then-committed");
                assertThat(expected.get("prepared-then-committed")).isGreaterThanOrEqualTo(1500 + HELD_MS);

                RowLatencies rows = new RowLatencies();
                assertThat(Sampler.recordCommitLatencies(c, since, rows)).isEqualTo(2);
                Histogram latency = rows.since(Long.MIN_VALUE);
                long low = Math.min(expected.get("plain"), expected.get("prepared-then-committed"));
                long high = Math.max(expected.get("plain"), expected.get("prepared-then-committed"));
                assertThat(latency.getTotalCount()).isEqualTo(2);
                assertThat(latency.valuesAreEquivalent(latency.getMinValue(), low)).as("min %d vs %d",
                        latency.getMinValue(), low).isTrue();
                assertThat(latency.valuesAreEquivalent(latency.getMaxValue(), high)).as("max %d vs %d",
                        latency.getMaxValue(), high).isTrue();
            } finally {
                st.execute("rollback prepared 'commit-latency-it-2'");
            }
        }
    }

    /** Waits until the server's clock is at least {@code ms} past {@code from}; bounded. */
    private static void awaitServerClockPast(Statement st, Timestamp from, long ms) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (timestamp(st, "select clock_timestamp()").getTime() - from.getTime() < ms) {
            assertThat(System.nanoTime()).as("server clock did not advance").isLessThan(deadline);
            st.execute("select pg_sleep(0.05)");
        }
    }

    private static Timestamp timestamp(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static String text(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
