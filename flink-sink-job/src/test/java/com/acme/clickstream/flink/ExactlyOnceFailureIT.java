package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once under failures: parallelism 2, a checkpoint every 300 ms, 300 sessions arriving over ~9 s, and three
 * failures, each injected once, one after the other:
 * <ol>
 *   <li>in the writer after 60 records (an open, unprepared transaction is lost);</li>
 *   <li>right after a writer prepared its transaction for a checkpoint and snapshotted (so the checkpoint cannot
 *       complete): the transaction is in {@code pg_prepared_xacts} at that moment, and must end rolled back, its
 *       records replayed;</li>
 *   <li>in the committer, called from {@code notifyCheckpointComplete}, before it commits: the checkpoint is
 *       complete, its transaction prepared and not committed (listed in {@code pg_prepared_xacts} at that moment);
 *       the restored writer must commit it.</li>
 * </ol>
 * The table then holds exactly the 300 sessions, nothing went to the dead-letter table (no duplicate was diverted), every transaction listed at
 * the failures is gone, and {@code pg_prepared_xacts} is empty.
 */
class ExactlyOnceFailureIT {
    private static final Database DB = Database.create("flink_failures");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
        Faults.reset();
    }

    @Test
    void failuresBeforePrepareBetweenPrepareAndCompletionAndBeforeCommitLeaveExactlyTheSessions(@TempDir Path dir)
            throws Exception {
        Faults.reset();
        Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
        Faults.database = DB.name();
        List<SessionRow> sessions = Sessions.rows("fail", 0, 300);
        try (Topics topic = new Topics(TestServers.kafka(), "failures", 4)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).jdbcBatchSize(10).build();
            Faults.failWriteAt.set(60);
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)));
            String jobId = job.getJobID().toHexString();
            Thread producer = topic.trickle(sessions, Duration.ofMillis(30));

            // Each fault is armed once the job restarted from the one before: two failures within one failover
            // would count as one restart and hit only one window.
            await().atMost(Duration.ofSeconds(60)).until(Faults.writeFailed::get);
            await().atMost(Duration.ofSeconds(60)).until(() -> restarts(jobId) >= 1);
            Faults.failAfterPrepare.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> !Faults.preparedAtFailAfterPrepare.isEmpty());
            await().atMost(Duration.ofSeconds(60)).until(() -> restarts(jobId) >= 2);
            Faults.failBeforeCommit.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> !Faults.preparedAtFailBeforeCommit.isEmpty());

            producer.join(60_000);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> DB.count("sessions") >= sessions.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());

            assertThat(DB.sessionIds()).containsExactlyElementsOf(
                    sessions.stream().map(SessionRow::sessionId).sorted().toList());
            assertThat(DB.count("sessions_rejected")).isZero();
            // The windows were hit: at both failures transactions of this job were prepared and not committed.
            // All of them are gone now (committed or rolled back: the exact table says which was right).
            assertThat(Faults.preparedAtFailAfterPrepare).isNotEmpty();
            assertThat(Faults.preparedAtFailBeforeCommit).isNotEmpty();
            assertThat(DB.preparedTransactions()).isEmpty();
            assertThat(restarts(jobId)).isGreaterThanOrEqualTo(3);
        }
    }

    private static double restarts(String jobId) {
        double n = CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts");
        return Double.isNaN(n) ? 0 : n;
    }
}
