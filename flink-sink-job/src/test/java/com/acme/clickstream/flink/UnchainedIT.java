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
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.FaultInjectingSink;
import com.acme.clickstream.flink.support.Faults;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With operator chaining disabled every committable crosses the network between the sink's writer and committer,
 * serialized: exactly once still holds, also when a commit fails and the restored committer commits from its
 * state. The XA sink's committer skipped such committables and nothing was committed (issue 8, hole 4).
 */
class UnchainedIT {
    private static final Database DB = Database.create("flink_unchained");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
        Faults.reset();
    }

    @Test
    void exactlyOnceWithoutOperatorChaining(@TempDir Path dir) throws Exception {
        Faults.reset();
        Faults.jdbcUrl = TestServers.postgres().jdbcUrl(DB.name());
        Faults.database = DB.name();
        List<SessionRow> sessions = Sessions.rows("unchained", 0, 150);
        try (Topics topic = new Topics(TestServers.kafka(), "unchained", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).jdbcBatchSize(10).build();
            job = Jobs.start(config, new FaultInjectingSink(SessionSinks.exactlyOnce(config)), null,
                    StreamExecutionEnvironment::disableOperatorChaining);
            Thread producer = topic.trickle(sessions, Duration.ofMillis(15));
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") >= 30);
            Faults.failBeforeCommit.set(true);
            await().atMost(Duration.ofSeconds(60)).until(() -> !Faults.preparedAtFailBeforeCommit.isEmpty());
            producer.join(60_000);

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> DB.count("sessions") >= sessions.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
            assertThat(DB.sessionIds()).containsExactlyElementsOf(
                    sessions.stream().map(SessionRow::sessionId).sorted().toList());
            assertThat(DB.count("sessions_rejected")).isZero();
            // The transactions prepared when the commit failed were committed from the committer's state.
            for (String gid : Faults.preparedAtFailBeforeCommit) {
                assertThat(DB.queryLong("select count(*) from flink_sink_transactions where gid = '" + gid + "'"))
                        .as(gid).isEqualTo(1);
            }
        }
    }
}
