package com.acme.clickstream.loadtest.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import com.acme.clickstream.loadtest.model.SessionRow;
import org.postgresql.xa.PGXADataSource;

/**
 * The same session rows written the two ways a sink can: plain batched JDBC (a local commit per
 * batch) and XA two-phase commit (start, batch, end, prepare, commit per batch, as the exactly-once
 * sink does per checkpoint). Each into its own scratch copy of the sessions table, dropped afterwards.
 */
public final class SinkBaseline {
    private SinkBaseline() {}

    public record Result(long rows, Duration jdbc, Duration xa) {
        public double jdbcRowsPerSecond() {
            return rows * 1000.0 / Math.max(1, jdbc.toMillis());
        }

        public double xaRowsPerSecond() {
            return rows * 1000.0 / Math.max(1, xa.toMillis());
        }
    }

    private static final String INSERT = "insert into %s (session_id, user_id, session_start, session_end, duration_ms,"
            + " event_count, page_views, purchases, revenue, landing_page, exit_page, landing_category, country, segment,"
            + " utm_source, utm_medium, utm_campaign, is_bounce, closed_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    public static Result run(String jdbcUrl, List<SessionRow> rows, int batchSize) throws Exception {
        String jdbcTable = "bench_sink_jdbc";
        String xaTable = "bench_sink_xa";
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            for (String t : List.of(jdbcTable, xaTable)) {
                st.execute("drop table if exists " + t);
                st.execute("create table " + t + " (like sessions including all)");
            }
        }
        try {
            // Two alternating rounds, the second one counts: the first pays for JIT and cold caches, whichever runs first.
            Duration jdbc = null;
            Duration xa = null;
            for (int round = 0; round < 2; round++) {
                try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
                    st.execute("truncate " + jdbcTable + ", " + xaTable);
                }
                jdbc = plain(jdbcUrl, jdbcTable, rows, batchSize);
                xa = xa(jdbcUrl, xaTable, rows, batchSize);
            }
            return new Result(rows.size(), jdbc, xa);
        } finally {
            try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
                st.execute("drop table if exists " + jdbcTable);
                st.execute("drop table if exists " + xaTable);
            }
        }
    }

    private static Duration plain(String jdbcUrl, String table, List<SessionRow> rows, int batchSize) throws Exception {
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl, rewriteBatches())) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(String.format(INSERT, table))) {
                int n = 0;
                for (SessionRow r : rows) {
                    bind(ps, r, n);
                    ps.addBatch();
                    if (++n % batchSize == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static Duration xa(String jdbcUrl, String table, List<SessionRow> rows, int batchSize) throws Exception {
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(jdbcUrl);
        ds.setReWriteBatchedInserts(true);
        long started = System.nanoTime();
        XAConnection xc = ds.getXAConnection();
        try {
            XAResource xa = xc.getXAResource();
            try (Connection c = xc.getConnection(); PreparedStatement ps = c.prepareStatement(String.format(INSERT, table))) {
                int n = 0;
                int txn = 0;
                Xid xid = xid(txn);
                xa.start(xid, XAResource.TMNOFLAGS);
                for (SessionRow r : rows) {
                    bind(ps, r, n);
                    ps.addBatch();
                    if (++n % batchSize == 0) {
                        ps.executeBatch();
                        commit(xa, xid);
                        xid = xid(++txn);
                        xa.start(xid, XAResource.TMNOFLAGS);
                    }
                }
                ps.executeBatch();
                commit(xa, xid);
            }
        } finally {
            xc.close();
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** Both ways send a batch as multi-row inserts, so the comparison is about the commit protocol only. */
    private static java.util.Properties rewriteBatches() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("reWriteBatchedInserts", "true");
        return p;
    }

    private static void commit(XAResource xa, Xid xid) throws Exception {
        xa.end(xid, XAResource.TMSUCCESS);
        if (xa.prepare(xid) == XAResource.XA_OK) {
            xa.commit(xid, false);
        }
    }

    private static Xid xid(int n) {
        byte[] gtrid = ("bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + "-" + n).getBytes(StandardCharsets.US_ASCII);
        return new Xid() {
            @Override
            public int getFormatId() {
                return 0x42454e43; // "BENC"
            }

            @Override
            public byte[] getGlobalTransactionId() {
                return gtrid;
            }

            @Override
            public byte[] getBranchQualifier() {
                return new byte[] {1};
            }
        };
    }

    private static void bind(PreparedStatement ps, SessionRow r, int n) throws Exception {
        ps.setString(1, "bench-" + n + "-" + r.userId());
        ps.setString(2, r.userId());
        ps.setTimestamp(3, Timestamp.from(r.sessionStart()));
        ps.setTimestamp(4, Timestamp.from(r.sessionEnd()));
        ps.setLong(5, r.durationMs());
        ps.setInt(6, r.eventCount());
        ps.setInt(7, r.pageViews());
        ps.setInt(8, r.purchases());
        ps.setBigDecimal(9, r.revenue());
        ps.setString(10, r.landingPage());
        ps.setString(11, r.exitPage());
        ps.setString(12, r.landingCategory());
        ps.setString(13, r.country());
        ps.setString(14, r.segment());
        ps.setString(15, r.utmSource());
        ps.setString(16, r.utmMedium());
        ps.setString(17, r.utmCampaign());
        ps.setBoolean(18, r.isBounce());
        ps.setTimestamp(19, Timestamp.from(r.closedAt() == null ? Instant.now() : r.closedAt()));
    }
}
