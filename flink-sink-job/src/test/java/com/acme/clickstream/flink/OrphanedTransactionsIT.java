package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.hygiene.FlinkXid;
import com.acme.clickstream.flink.hygiene.OrphanMonitor;
import com.acme.clickstream.flink.hygiene.PreparedTransaction;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.PgConnectionSettings;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * Prepared transactions left by other Flink jobs: found, reported (metric, age) and rolled back only when enabled,
 * never those of this job, of the job it restored, younger than the minimum age, or not Flink's.
 */
class OrphanedTransactionsIT {
    private static final Database DB = Database.create("flink_orphans");
    private static final PgConnectionSettings PG = new PgConnectionSettings(DB.jdbcUrl(), "postgres", null, "test");
    private JobClient job;

    @AfterEach
    void cleanUp() throws Exception {
        Jobs.cancel(job);
        try (Connection c = DB.dataSource().getConnection(); Statement st = c.createStatement()) {
            for (String gid : DB.preparedTransactions()) {
                st.execute("rollback prepared '" + gid + "'");
            }
        }
        DB.execute("truncate sessions, sessions_rejected");
    }

    @Test
    void monitorReportsOnlyOldTransactionsOfOtherJobsAndRollsBackOnlyThoseWhenEnabled() throws Exception {
        String current = randomJobId();
        String restored = randomJobId();
        String other = randomJobId();
        Xid orphan = prepareFlinkTransaction(other, 0, 3, Sessions.row("orph", 1));
        prepareFlinkTransaction(current, 1, 5, Sessions.row("orph", 2));
        Xid ofRestoredJob = prepareFlinkTransaction(restored, 0, 4, Sessions.row("orph", 3));
        prepareForeignTransaction("foreign-app-tx-1");

        // The gids PostgreSQL shows are parsed back to the sink's xids.
        assertThat(DB.preparedTransactions().stream().map(FlinkXid::fromGid).flatMap(java.util.Optional::stream))
                .containsExactlyInAnyOrder(new FlinkXid(other, 0, 2, 3), new FlinkXid(current, 1, 2, 5),
                        new FlinkXid(restored, 0, 2, 4));

        // Younger than the minimum age: nothing is an orphan yet.
        try (OrphanMonitor young = new OrphanMonitor(PG, current, Set.of(restored), Duration.ofHours(1), true,
                Duration.ofMinutes(1))) {
            young.restoreComplete();
            assertThat(young.check().orphans()).isEmpty();
            assertThat(young.orphanCount()).isZero();
        }
        // Report only.
        try (OrphanMonitor report = new OrphanMonitor(PG, current, Set.of(restored), Duration.ZERO, false,
                Duration.ofMinutes(1))) {
            OrphanMonitor.Report r = report.check();
            assertThat(jobs(r.orphans())).containsExactly(other); // the restored job's is not judged before restore
            assertThat(r.rolledBack()).isEmpty();
            report.restoreComplete();
            r = report.check();
            assertThat(jobs(r.orphans())).containsExactlyInAnyOrder(other, restored);
            assertThat(r.rolledBack()).isEmpty();
            assertThat(report.orphanCount()).isEqualTo(2);
            assertThat(DB.preparedTransactions()).hasSize(4);
        }
        // Roll back: the other job's only; never this job's, the restored job's, or a non-Flink transaction.
        try (OrphanMonitor rollback = new OrphanMonitor(PG, current, Set.of(restored), Duration.ZERO, true,
                Duration.ofMinutes(1))) {
            rollback.restoreComplete();
            OrphanMonitor.Report r = rollback.check();
            assertThat(jobs(r.rolledBack())).containsExactly(other);
            assertThat(rollback.rolledBackCount()).isEqualTo(1);
            assertThat(DB.preparedTransactions()).hasSize(3).doesNotContain(gidOf(orphan))
                    .contains("foreign-app-tx-1", gidOf(ofRestoredJob));
            assertThat(rollback.check().orphans()).hasSize(1); // the restored job's stays reported
        }
    }

    @Test
    void jobReportsAnOrphanAndWhenEnabledRollsBackTheOneHoldingTheLockOfARowItWrites(@TempDir Path dir)
            throws Exception {
        SessionRow locked = Sessions.row("orphan-job", 7);
        prepareFlinkTransaction(randomJobId(), 1, 12, locked);
        prepareForeignTransaction("foreign-app-tx-2");

        // Report only: the orphan shows in the gauges with its age and stays.
        try (Topics topicA = new Topics(TestServers.kafka(), "orphans-a", 2)) {
            SinkJobConfig config = config(topicA.topic(), dir.resolve("a"), false);
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            String jobId = job.getJobID().toHexString();
            Sessions.rows("orphan-a", 0, 20).forEach(topicA::send);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_orphanedPreparedTransactions") == 1);
            assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_oldestOrphanAgeSeconds"))
                    .isGreaterThanOrEqualTo(config.orphanMinAge().toSeconds());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.count("sessions") == 20);
            assertThat(DB.preparedTransactions()).hasSize(2);
            Jobs.cancel(job);
        }
        // Rollback enabled: a job (another job id, another topic) whose sessions include the locked one. Its
        // insert would wait on the orphan's lock for ever; the monitor rolls the orphan back and the row is
        // written exactly once. The non-Flink prepared transaction is left alone.
        try (Topics topicB = new Topics(TestServers.kafka(), "orphans-b", 2)) {
            SinkJobConfig config = config(topicB.topic(), dir.resolve("b"), true);
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            String jobId = job.getJobID().toHexString();
            List<SessionRow> sessions = Sessions.rows("orphan-job", 0, 30);
            sessions.forEach(topicB::send);
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == 20 + sessions.size());
            assertThat(DB.preparedTransactions()).containsExactly("foreign-app-tx-2");
            assertThat(DB.sessions()).containsEntry(locked.sessionId(), locked);
            await().atMost(Duration.ofSeconds(30)).until(() -> CapturedMetrics.sum(jobId,
                    "flink_taskmanager_job_task_operator_orphanedPreparedTransactionsRolledBack") >= 1);
        }
    }

    private static SinkJobConfig config(String topic, Path dir, boolean rollback) {
        return Jobs.config(topic, DB, dir)
                .checkpointTimeout(Duration.ofSeconds(2))
                .orphanMinAge(Duration.ofMillis(2500))
                .orphanCheckInterval(Duration.ofMillis(500))
                .rollbackOrphanedXa(rollback)
                .build();
    }

    private static List<String> jobs(List<PreparedTransaction> txs) {
        return txs.stream().map(t -> t.flinkXid().orElseThrow().jobId()).toList();
    }

    private static String randomJobId() {
        UUID u = UUID.randomUUID();
        return HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
    }

    private static String gidOf(Xid xid) {
        return FlinkXid.fromXid(xid).map(x -> DB.preparedTransactions().stream()
                .filter(g -> FlinkXid.fromGid(g).equals(java.util.Optional.of(x))).findFirst().orElse("gone"))
                .orElseThrow();
    }

    /** What a sink subtask of job {@code jobId} leaves when it dies between prepare and commit. */
    private static Xid prepareFlinkTransaction(String jobId, int subtask, long checkpoint, SessionRow row)
            throws Exception {
        Xid xid = TransactionId.create(HexFormat.of().parseHex(jobId), subtask, 2).withBranch(checkpoint);
        PGXADataSource ds = PG.xaDataSource();
        XAConnection xa = ds.getXAConnection();
        try {
            XAResource resource = xa.getXAResource();
            resource.start(xid, XAResource.TMNOFLAGS);
            try (PreparedStatement ps = xa.getConnection().prepareStatement(
                    "insert into sessions (session_id, user_id, session_start, session_end, duration_ms, event_count,"
                            + " page_views, purchases, revenue, is_bounce, closed_at)"
                            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, row.sessionId());
                ps.setString(2, row.userId());
                ps.setObject(3, row.sessionStart().atOffset(ZoneOffset.UTC));
                ps.setObject(4, row.sessionEnd().atOffset(ZoneOffset.UTC));
                ps.setLong(5, row.durationMs());
                ps.setInt(6, row.eventCount());
                ps.setInt(7, 0);
                ps.setInt(8, 0);
                ps.setBigDecimal(9, java.math.BigDecimal.ZERO);
                ps.setBoolean(10, row.isBounce());
                ps.setObject(11, row.closedAt().atOffset(ZoneOffset.UTC));
                ps.executeUpdate();
            }
            resource.end(xid, XAResource.TMSUCCESS);
            resource.prepare(xid);
        } finally {
            xa.close();
        }
        return xid;
    }

    private static void prepareForeignTransaction(String gid) throws Exception {
        try (Connection c = DB.dataSource().getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("insert into sessions_rejected (kafka_topic, kafka_partition, kafka_offset, reason)"
                    + " values ('" + gid + "', 0, 0, 'not Flink''s')");
            st.execute("prepare transaction '" + gid + "'");
            c.setAutoCommit(true);
        }
    }
}
