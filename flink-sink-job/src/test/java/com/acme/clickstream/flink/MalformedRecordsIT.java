package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and contract-breaking records among valid sessions: the job keeps running, writes every valid session,
 * and accounts for each bad record (one dead-letter row with its bytes and reason, and the counters) under the
 * metric names the README gives.
 */
class MalformedRecordsIT {
    private static final Database DB = Database.create("flink_malformed");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
    }

    @Test
    void badRecordsAreCountedAndKeptAndTheJobWritesTheRest(@TempDir Path dir) throws Exception {
        List<SessionRow> valid = Sessions.rows("bad", 0, 100);
        SessionRow sample = valid.get(3);
        Map<String, byte[]> malformed = new LinkedHashMap<>();
        malformed.put("not-json", "session 42, ended".getBytes(StandardCharsets.UTF_8));
        malformed.put("array", "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        malformed.put("invalid-utf8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        malformed.put("missing-user", bytes(Sessions.json(Sessions.row("bad-x", 1)).without("user_id")));
        malformed.put("wrong-type", bytes(Sessions.json(Sessions.row("bad-x", 2)).put("event_count", "five")));
        malformed.put("nul-char", bytes(Sessions.json(Sessions.row("bad-x", 3)).put("country", "D\u0000E")));
        malformed.put("revenue-3-decimals", bytes(Sessions.json(Sessions.row("bad-x", 5)).put("purchases", 1)
                .put("revenue", new java.math.BigDecimal("12.345"))));
        malformed.put("duration-mismatch", bytes(Sessions.json(Sessions.row("bad-x", 4)).put("duration_ms", 1)));
        malformed.put("tombstone", null);

        try (Topics topic = new Topics(TestServers.kafka(), "malformed", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).build();
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            String jobId = job.getJobID().toHexString();
            List<byte[]> bad = new ArrayList<>(malformed.values());
            for (int i = 0; i < valid.size(); i++) {
                topic.send(valid.get(i));
                if (i % 10 == 5 && i / 10 < bad.size()) {
                    topic.send("some-key", bad.get(i / 10));
                }
            }
            // A second record of a session already written (a contract breach upstream).
            topic.send(sample.userId(), Sessions.bytes(sample));

            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == valid.size()
                    && DB.count("sessions_rejected") == malformed.size() + 1);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(DB.sessions()).isEqualTo(
                    valid.stream().collect(Collectors.toMap(SessionRow::sessionId, Function.identity())));

            Map<String, String> reasons = new LinkedHashMap<>();
            List<byte[]> storedValues = new ArrayList<>();
            try (Connection c = DB.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select reason, record_value, session_id from sessions_rejected"
                         + " order by kafka_partition, kafka_offset")) {
                while (rs.next()) {
                    reasons.put(rs.getString(1), rs.getString(3));
                    if (rs.getString(1).startsWith("malformed: ")) {
                        storedValues.add(rs.getBytes(2));
                    }
                }
            }
            assertThat(reasons.keySet()).filteredOn(r -> r.startsWith("malformed: ")).hasSize(malformed.size());
            assertThat(reasons).containsEntry("duplicate: session_id already written by this job",
                    sample.sessionId());
            assertThat(reasons.keySet()).anyMatch(r -> r.contains("U+0000"))
                    .anyMatch(r -> r.contains("revenue")).anyMatch(r -> r.contains("duration_ms"))
                    .anyMatch(r -> r.contains("'user_id' is missing")).anyMatch(r -> r.contains("tombstone"))
                    .anyMatch(r -> r.contains("not UTF-8 JSON")).anyMatch(r -> r.contains("not a JSON object"));
            // The original bytes are kept (the tombstone has none).
            assertThat(storedValues).usingElementComparator((a, b) -> java.util.Arrays.equals(a, b) ? 0 : 1)
                    .containsExactlyInAnyOrderElementsOf(malformed.values());

            // The counters, by their Prometheus names (the Flink Prometheus reporter's naming).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_malformedRecords"))
                        .isEqualTo(malformed.size());
                assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_duplicateSessions"))
                        .isEqualTo(1);
                assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_sessionsWritten"))
                        .isEqualTo(valid.size());
            });
            assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_foreignPreparedTransactions"))
                    .isZero();
            assertThat(CapturedMetrics.sum(jobId, "flink_taskmanager_job_task_operator_sessionsAlreadyPresent"))
                    .isZero();
            // ...registered once per job (sink subtask 0) and on the operators the README names.
            assertThat(CapturedMetrics.ofJob(jobId).stream()
                    .filter(e -> e.name().equals("foreignPreparedTransactions")))
                    .singleElement().satisfies(e -> {
                        assertThat(e.variables()).containsEntry("<subtask_index>", "0");
                        assertThat(e.variables().get("<operator_name>")).isEqualTo("sessions-pg-2pc-sink: Writer");
                    });
            assertThat(CapturedMetrics.ofJob(jobId).stream().filter(e -> e.name().equals("sessionsWritten")))
                    .allSatisfy(e -> assertThat(e.variables().get("<operator_name>")).isEqualTo("dedup-sessions"));
            assertThat(CapturedMetrics.ofJob(jobId).stream().filter(e -> e.name().equals("malformedRecords")))
                    .allSatisfy(e -> assertThat(e.variables().get("<operator_name>"))
                            .isEqualTo("parse-session-json"));
        }
    }

    private static byte[] bytes(ObjectNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
