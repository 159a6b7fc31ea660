package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's way of running the job, for real: {@code java -cp target/classes:target/lib/* SessionSinkMain}
 * as its own process (a local MiniCluster), killed with SIGKILL mid-stream and started again with the same
 * arguments: the second run resumes from the newest retained checkpoint, and the table ends with every session
 * exactly once. Needs {@code target/lib}, which {@code package} writes before the ITs run.
 */
class LocalRunIT {
    private static final Database DB = Database.create("flink_local_run");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void localMainResumesFromItsLatestCheckpointAfterAKill(@TempDir Path dir) throws Exception {
        assertThat(Path.of("target/lib")).as("target/lib (mvn package)").isDirectory();
        List<SessionRow> first = Sessions.rows("local", 0, 150);
        List<SessionRow> second = Sessions.rows("local", 150, 250);
        try (Topics topic = new Topics(TestServers.kafka(), "local-run", 2)) {
            Process run1 = start(dir, topic.topic(), "run1.log");
            first.subList(0, 20).forEach(topic::send);
            await().atMost(Duration.ofSeconds(90)).until(() -> DB.count("sessions") >= 20); // run 1 is up
            Thread producer = topic.trickle(first.subList(20, first.size()), Duration.ofMillis(20));
            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") >= 50);
            run1.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            producer.join(60_000);
            assertThat(DB.count("sessions")).isLessThan(first.size());

            start(dir, topic.topic(), "run2.log");
            topic.trickle(second, Duration.ofMillis(5)).join(60_000);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> DB.count("sessions") >= first.size() + second.size());
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
            assertThat(Files.readString(dir.resolve("run2.log"))).contains("Resuming from checkpoint");
        }
        assertThat(DB.sessionIds()).containsExactlyElementsOf(Sessions.rows("local", 0, 250).stream()
                .map(SessionRow::sessionId).sorted().toList());
    }

    private Process start(Path dir, String topic, String log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "-cp", "target/classes" + File.pathSeparator + "target/lib/*",
                SessionSinkMain.class.getName(),
                "--bootstrap-servers", TestServers.kafka().bootstrapServers(),
                "--topic", topic,
                "--jdbc-url", DB.sinkJdbcUrl(),
                "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--checkpoint-interval", "PT0.5S",
                "--local-tmp-dir", dir.resolve("tmp").toString(),
                "--rest-port", "0"));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile())
                .start();
        processes.add(process);
        return process;
    }
}
