package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.acme.clickstream.devstack.Postgres;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job is cancelled mid-stream and started again (a new job id, a lower parallelism) from its retained
 * checkpoint; then PostgreSQL restarts under the running job. Nothing is lost, nothing is written twice, no prepared transaction is left.
 */
class RestartIT {
    private static final Database DB = Database.create("flink_restart");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Faults.reset();
        Postgres pg = TestServers.postgres();
        if (!pg.isRunning()) {
            pg.start();
        }
        Jobs.cancel(job);
    }

    @Test
    void cancelledJobResumesFromItsRetainedCheckpointAndSurvivesAPostgresRestart(@TempDir Path dir) throws Exception {
        List<SessionRow> first = Sessions.rows("restart", 0, 200);
        List<SessionRow> second = Sessions.rows("restart", 200, 400);
        try (Topics topic = new Topics(TestServers.kafka(), "restart", 3)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir.resolve("checkpoints")).jdbcBatchSize(5).build();

            // Run 1, cancelled while sessions still arrive and while a writer holds a transaction prepared for a
            // checkpoint that cannot complete: some rows committed, one transaction of run 1's job id left
            // prepared (holding the locks of rows that run 2 writes again), the rest not yet read.
            Faults.reset();
            Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
            Faults.database = DB.name();
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)));
            Thread producer = topic.trickle(first, Duration.ofMillis(15));
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") >= 60);
            Faults.holdAfterPrepare.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> !Faults.preparedAtHold.isEmpty());
            Jobs.cancel(job);
            List<String> leftByRun1 = DB.preparedTransactions();
            assertThat(leftByRun1).isNotEmpty();
            producer.join(60_000);
            long afterCancel = DB.count("sessions");
            assertThat(afterCancel).isLessThan(first.size());

            LatestCheckpoint.Found checkpoint = LatestCheckpoint.find(config.checkpointUri().orElseThrow())
                    .orElseThrow(() -> new AssertionError("no retained checkpoint after cancel"));
            assertThat(checkpoint.jobId()).isEqualTo(job.getJobID().toHexString());

            // Run 2: a new job id from run 1's retained checkpoint, with parallelism 1 (the sink merges the two
            // old subtasks' states; the restoring subtask ends both old subtasks' leftovers).
            SinkJobConfig run2 = config.toBuilder().parallelism(1).build();
            job = Jobs.start(run2, SessionSinks.exactlyOnce(run2), checkpoint.path());
            String jobId = job.getJobID().toHexString();
            producer = topic.trickle(second, Duration.ofMillis(15));
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") >= first.size() + 50);

            // PostgreSQL goes away under the running job (fast shutdown: sessions end, prepared transactions stay)
            // and comes back once the job has noticed and restarted.
            Postgres pg = TestServers.postgres();
            double restarts = CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts");
            pg.stop();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts") > restarts);
            pg.start();
            producer.join(60_000);

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> DB.count("sessions") >= first.size() + second.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
        }
        // Run 1's leftovers were rolled back when run 2 restored (run 2's rows include theirs exactly once).
        assertThat(DB.sessionIds()).containsExactlyElementsOf(Sessions.rows("restart", 0, 400).stream()
                .map(SessionRow::sessionId).sorted().toList());
        assertThat(DB.count("sessions_rejected")).isZero();
    }
}
