package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.local.LatestCheckpoint;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.FaultInjectingSink;
import com.acme.clickstream.flink.support.Faults;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prepared transactions that the run which left them will never end: each is ended by a rule that loses no row.
 * Both scenarios failed with the XA sink (issue 8, holes 1 and 2).
 */
class LeftoverTransactionsIT {
    private static final Database DB = Database.create("flink_leftovers");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        if (Faults.commitGate != null) {
            Faults.commitGate.countDown();
        }
        Jobs.cancel(job);
        Faults.reset();
        // A failed run may leave prepared transactions: their locks would block the truncate for ever.
        for (String gid : DB.preparedTransactions()) {
            DB.execute("rollback prepared '" + gid + "'");
        }
        DB.execute("truncate sessions, sessions_rejected, flink_sink_transactions");
    }

    /**
     * The source commits the group's offsets and the sink commits its transaction on the same checkpoint-complete
     * notice, in different tasks. The job stops between the two: the offsets are past records whose transaction is
     * still prepared. A job started without that state reads from the offsets and never replays those records: the
     * leftover must be committed, not rolled back (the XA sink left it prepared, or rolled it back by age).
     */
    @Test
    void aJobWithoutStateCommitsWhatAStopBetweenTheOffsetCommitAndTheSinkCommitLeft(@TempDir Path dir)
            throws Exception {
        Faults.reset();
        Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
        Faults.database = DB.name();
        Faults.commitGate = new CountDownLatch(1); // every commit waits: the sink's commit never happens in run 1
        List<SessionRow> sessions = Sessions.rows("no-state", 0, 80);
        try (Topics topic = new Topics(TestServers.kafka(), "leftover-no-state", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir.resolve("a")).build();
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)));
            sessions.forEach(topic::send);

            assertThat(Faults.commitEntered.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // The source committed offsets of the completed checkpoint; the sink's transactions are prepared, not
            // committed: the offsets point past records that are in no visible row.
            await().atMost(Duration.ofSeconds(30)).until(() -> committedOffsets(config.groupId()) > 0);
            assertThat(DB.count("sessions")).isZero();
            assertThat(DB.preparedTransactions()).isNotEmpty();
            Jobs.cancel(job);
            List<String> left = DB.preparedTransactions();
            assertThat(left).isNotEmpty();
            long offsets = committedOffsets(config.groupId());
            assertThat(offsets).isPositive();
            Faults.reset();

            // A new job, no checkpoint: from the group's offsets.
            SinkJobConfig fresh = Jobs.config(topic.topic(), DB, dir.resolve("b")).build();
            job = Jobs.start(fresh, SessionSinks.exactlyOnce(fresh));
            String jobId = job.getJobID().toHexString();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> DB.count("sessions") >= sessions.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());

            assertThat(DB.sessionIds()).containsExactlyElementsOf(
                    sessions.stream().map(SessionRow::sessionId).sorted().toList());
            assertThat(DB.sessions().values()).containsExactlyInAnyOrderElementsOf(sessions);
            assertThat(DB.count("sessions_rejected")).isZero();
            assertThat(CapturedMetrics.sum(jobId,
                    "flink_taskmanager_job_task_operator_unownedPreparedTransactionsCommitted")).isEqualTo(left.size());
            // Every leftover was committed, and the ground-truth table says so.
            for (String gid : left) {
                assertThat(DB.queryLong("select count(*) from flink_sink_transactions where gid = '" + gid + "'"))
                        .as(gid).isEqualTo(1);
            }
        }
    }

    /**
     * Run B restores checkpoint R of run A, prepares a transaction and dies before any checkpoint completes; run C
     * restores R again. B's transaction is in no state C restored and holds the locks of the keys C replays: the
     * XA sink's writer waited on them for ever.
     */
    @Test
    void restoringTheSameCheckpointTwiceRollsBackWhatTheFirstRestorerPrepared(@TempDir Path dir) throws Exception {
        List<SessionRow> first = Sessions.rows("twice", 0, 40);
        List<SessionRow> second = Sessions.rows("twice", 40, 100);
        try (Topics topic = new Topics(TestServers.kafka(), "leftover-twice", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).build();
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            first.forEach(topic::send);
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == first.size());
            Jobs.cancel(job);
            String checkpoint = LatestCheckpoint.find(config.checkpointUri().orElseThrow()).orElseThrow().path();
            second.forEach(topic::send);

            // Run B: from R, holds a prepared transaction (with some of the second batch) until it is cancelled.
            Faults.reset();
            Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
            Faults.database = DB.name();
            Faults.holdAfterPrepare.set(true);
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)), checkpoint);
            await().atMost(Duration.ofSeconds(60)).until(() -> !Faults.preparedAtHold.isEmpty());
            Jobs.cancel(job);
            List<String> leftByB = DB.preparedTransactions();
            assertThat(leftByB).isNotEmpty();
            assertThat(DB.count("sessions")).isEqualTo(first.size());

            // Run C: from R again.
            job = Jobs.start(config, SessionSinks.exactlyOnce(config), checkpoint);
            String jobId = job.getJobID().toHexString();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> DB.count("sessions") >= first.size() + second.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
            assertThat(DB.sessionIds()).containsExactlyElementsOf(Sessions.rows("twice", 0, 100).stream()
                    .map(SessionRow::sessionId).sorted().toList());
            assertThat(DB.count("sessions_rejected")).isZero();
            assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_preparedTransactionsRolledBack"))
                    .isEqualTo(leftByB.size());
            // Rolled back: no ground-truth row for them.
            for (String gid : leftByB) {
                assertThat(DB.queryLong("select count(*) from flink_sink_transactions where gid = '" + gid + "'"))
                        .as(gid).isZero();
            }
        }
    }

    private static long committedOffsets(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestServers.kafka().bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                    .filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }
}
