package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

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

/** Rows become visible only when the checkpoint that covers them completes. */
class CommitVisibilityIT {
    private static final Database DB = Database.create("flink_visibility");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        if (Faults.commitGate != null) {
            Faults.commitGate.countDown();
        }
        Jobs.cancel(job);
        Faults.reset();
    }

    @Test
    void rowsAreInvisibleWhileWrittenAndPreparedAndAppearWithTheCommitOfTheirCompletedCheckpoint(@TempDir Path dir)
            throws Exception {
        Faults.reset();
        Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
        Faults.database = DB.name();
        Faults.commitGate = new CountDownLatch(1);
        List<SessionRow> sessions = Sessions.rows("vis", 0, 60);
        try (Topics topic = new Topics(TestServers.kafka(), "visibility", 2)) {
            // Batch size 1: each record is sent to PostgreSQL at once, inside the open XA transaction.
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).jdbcBatchSize(1)
                    .checkpointInterval(Duration.ofSeconds(1)).build();
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)));
            sessions.forEach(topic::send);

            // Written into the database, in transactions that are not committed: invisible.
            await().atMost(Duration.ofSeconds(30)).until(() -> Faults.written.get() == sessions.size());
            assertThat(DB.count("sessions")).isZero();

            // A checkpoint completed (Flink calls the committer from notifyCheckpointComplete only) and the commit
            // is held: the transactions are prepared, and still nothing is visible. The connector's XA sink would
            // have committed them while taking the checkpoint, so the rows would be visible here already.
            assertThat(Faults.commitEntered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(DB.preparedTransactions()).isNotEmpty();
            assertThat(DB.count("sessions")).isZero();

            Faults.commitGate.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.count("sessions") == sessions.size());
        }
        // Every column as the contract's JSON said.
        assertThat(DB.sessions()).isEqualTo(
                sessions.stream().collect(Collectors.toMap(SessionRow::sessionId, Function.identity())));
        // Idle checkpoints prepare nothing: no empty transaction takes one of max_prepared_transactions' slots.
        String jobId = job.getJobID().toHexString();
        double completed = CapturedMetrics.sum(jobId, "flink_jobmanager_job_numberOfCompletedCheckpoints");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                CapturedMetrics.sum(jobId, "flink_jobmanager_job_numberOfCompletedCheckpoints") >= completed + 5);
        assertThat(DB.preparedTransactions()).isEmpty();
    }
}
