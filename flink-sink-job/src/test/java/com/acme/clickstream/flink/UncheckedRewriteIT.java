package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies of committed sessions reach the sink in a running job (dedup off, as for copies older than the retention)
 * after the writers' first transaction, so in transactions written without the id lookup: COPY fails on the
 * primary key, the writer rolls back and writes the transaction again with the lookup, and the job goes on without
 * a restart; one row per session, every copy counted.
 */
class UncheckedRewriteIT {
    private static final Database DB = Database.create("flink_unchecked_rewrite");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
    }

    @Test
    void copiesOfCommittedSessionsAreLeftOutWithoutARestart(@TempDir Path dir) throws Exception {
        List<SessionRow> first = Sessions.rows("unchecked", 0, 40);
        List<SessionRow> later = Sessions.rows("unchecked", 40, 60);
        try (Topics topic = new Topics(TestServers.kafka(), "unchecked-rewrite", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).dedupRetention(Duration.ZERO).build();
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            String jobId = job.getJobID().toHexString();
            first.forEach(topic::send);
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == first.size());

            List<SessionRow> mixed = new ArrayList<>(later);
            for (int i = 0; i < 10; i++) {
                mixed.add(2 * i, first.get(3 * i));
            }
            mixed.forEach(topic::send);
            await().atMost(Duration.ofSeconds(60)).until(() -> CapturedMetrics.sum(jobId,
                    "flink_taskmanager_job_task_operator_sessionsAlreadyPresent") >= 10
                    && DB.count("sessions") == first.size() + later.size());

            assertThat(DB.sessionIds()).containsExactlyElementsOf(Sessions.rows("unchecked", 0, 60).stream()
                    .map(SessionRow::sessionId).sorted().toList());
            assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_sessionsAlreadyPresent"))
                    .isEqualTo(10);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts")).isZero();
            assertThat(DB.preparedTransactions()).isEmpty();
        }
    }
}
