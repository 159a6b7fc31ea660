package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.sink.SessionStatements;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another session holds an uncommitted insert of a key the job writes (what a lost TaskManager's session leaves
 * until the server ends it): the job's write fails after {@code --lock-timeout} and the job restarts, again until
 * the lock is gone, then it completes with every row once. The XA sink's writer waited for ever (issue 8, hole 3).
 */
class BoundedBlockingIT {
    private static final Database DB = Database.create("flink_bounded");
    private JobClient job;
    private Connection blocker;

    @AfterEach
    void stop() throws Exception {
        if (blocker != null && !blocker.isClosed()) {
            blocker.close();
        }
        Jobs.cancel(job);
    }

    @Test
    void aWriteBlockedByAnotherSessionsLockFailsWithinTheLockTimeoutAndSucceedsOnceTheLockIsGone(@TempDir Path dir)
            throws Exception {
        List<SessionRow> sessions = Sessions.rows("locked", 0, 40);
        SessionRow contested = sessions.get(17);
        blocker = DB.dataSource().getConnection();
        blocker.setAutoCommit(false);
        try (PreparedStatement ps = blocker.prepareStatement(SessionStatements.insertSession("sessions"))) {
            SessionStatements.bind(ps, 0, contested);
            ps.executeUpdate();
        }

        try (Topics topic = new Topics(TestServers.kafka(), "bounded-blocking", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).lockTimeout(Duration.ofSeconds(1)).build();
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            String jobId = job.getJobID().toHexString();
            sessions.forEach(topic::send);

            // The blocked write fails within the bound (1 s + the restart's back-off), not never.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts") >= 1);
            assertThat(DB.sessionIds()).doesNotContain(contested.sessionId());

            // The other session commits the same session: the job's insert must neither fail on the key nor write
            // it twice.
            blocker.commit();
            blocker.close();
            // Once seen failing in a CI run (the rows did not come within 90 s); the state then is printed, so that a
            // next failure says why.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .conditionEvaluationListener(condition -> {
                        if (condition.getRemainingTimeInMS() < 600) {
                            System.out.println("[bounded blocking] rows " + DB.count("sessions") + " of "
                                    + sessions.size() + ", restarts "
                                    + CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts") + ", prepared "
                                    + DB.preparedTransactions() + ", waiting locks " + DB.strings(
                                    "select mode || ' by ' || pid || ' (' || coalesce(a.application_name, '') || ', '"
                                            + " || coalesce(a.state, '') || ', ' || coalesce(left(a.query, 60), '')"
                                            + " || ')' from pg_locks l join pg_stat_activity a using (pid)"
                                            + " where not l.granted"));
                        }
                    })
                    .until(() -> DB.count("sessions") >= sessions.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
            assertThat(DB.sessions()).isEqualTo(
                    sessions.stream().collect(Collectors.toMap(SessionRow::sessionId, Function.identity())));
            assertThat(DB.count("sessions_rejected")).isZero();
            // Summed over attempts: the attempt that found the row may have been restarted after it prepared (its
            // transaction then commits on recovery and the next attempt replays nothing).
            await().atMost(Duration.ofSeconds(10)).until(() -> CapturedMetrics.sumOverRun(jobId,
                    "flink_taskmanager_job_task_operator_sessionsAlreadyPresent") >= 1);
        }
    }
}
