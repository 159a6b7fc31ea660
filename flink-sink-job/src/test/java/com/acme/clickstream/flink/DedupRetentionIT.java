package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.local.LatestCheckpoint;
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
 * A restore after a downtime longer than the dedup retention, with a second copy of a written session in the
 * replay (its Kafka timestamp within the retention of the first copy's): the copy is still recognised and goes to
 * the dead-letter table, the job keeps running. With the processing-time TTL every entry had expired during the
 * downtime, the copy reached the sink and the job restart-looped on the primary key (issue 8, hole 5).
 */
class DedupRetentionIT {
    private static final Database DB = Database.create("flink_dedup_retention");
    private static final long T0 = Instant.parse("2026-11-24T08:00:00Z").toEpochMilli();
    private static final Duration RETENTION = Duration.ofSeconds(2);
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
    }

    @Test
    void aCopyInTheReplayAfterADowntimeLongerThanTheRetentionIsStillADuplicate(@TempDir Path dir) throws Exception {
        List<SessionRow> first = Sessions.rows("retention", 0, 20);
        List<SessionRow> second = Sessions.rows("retention", 20, 30);
        SessionRow copied = first.get(3);
        try (Topics topic = new Topics(TestServers.kafka(), "dedup-retention", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).dedupRetention(RETENTION).build();
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            first.forEach(s -> topic.send(s, T0));
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == first.size());
            Jobs.cancel(job);
            long down = System.nanoTime();
            String checkpoint = LatestCheckpoint.find(config.checkpointUri().orElseThrow()).orElseThrow().path();

            // While the job is down: the copy (1 s after the first in Kafka time) and new sessions.
            topic.send(copied, T0 + 1_000);
            second.forEach(s -> topic.send(s, T0 + 1_000));
            // The downtime itself is the input: longer than the retention in wall-clock time.
            await().pollInterval(Duration.ofMillis(100)).atMost(RETENTION.multipliedBy(3))
                    .until(() -> System.nanoTime() - down > RETENTION.multipliedBy(2).toNanos());

            job = Jobs.start(config, SessionSinks.exactlyOnce(config), checkpoint);
            String jobId = job.getJobID().toHexString();
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == first.size() + second.size()
                    && DB.count("sessions_rejected") == 1);
            assertThat(DB.strings("select session_id || ' ' || reason from sessions_rejected"))
                    .containsExactly(copied.sessionId() + " duplicate: session_id already written by this job");
            assertThat(DB.sessionIds()).containsExactlyElementsOf(Sessions.rows("retention", 0, 30).stream()
                    .map(SessionRow::sessionId).sorted().toList());
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_duplicateSessions") == 1);
        }
    }
}
