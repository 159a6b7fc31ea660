package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * exactly_once_v2 across a crash: the packaged service is killed with SIGKILL in the middle of a
 * deterministic stream, started again on the same state directory, and fed the rest. Every session
 * computed independently from the input must then be on clickstream.sessions (read_committed)
 * exactly once, and the DLQ and late topics must hold exactly the invalid and too-late records.
 * The first start also measures time to ready and resident memory (reported in README.md).
 */
class ExactlyOnceIT {
    static final String PREFIX = "eos.";
    static final int USERS = 60;
    static final Instant T = Instant.parse("2026-11-20T08:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> RESENT = List.of("eos-u01-a1", "eos-u02-a1", "eos-u45-b0");

    record Ev(Instant ts, String user, String json) {}

    record Expected(String user, String start, String end, int events) {}

    @Test
    void everySessionExactlyOnceAcrossAKill9() throws Exception {
        Map<String, String> topics = Servers.createTopics(PREFIX);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-eos-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("eos-state").toString());
        // The broker's minimum: the restarted instance need not wait 45 s for the killed one to expire.
        env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.putAll(Servers.asEnv(topics));

        // User i: session A = 3 events one minute apart from T + 20 s * i, then a gap of 31 minutes,
        // session B = 2 events one minute apart. Produced in time order, so nothing is late.
        List<Ev> events = new ArrayList<>();
        List<Expected> expected = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = String.format("eos-u%02d", i);
            Instant a = T.plusSeconds(20L * i);
            Instant b = a.plus(Duration.ofMinutes(33));
            for (int k = 0; k < 3; k++) {
                events.add(pageView(user, "a" + k, a.plus(Duration.ofMinutes(k))));
            }
            for (int k = 0; k < 2; k++) {
                events.add(pageView(user, "b" + k, b.plus(Duration.ofMinutes(k))));
            }
            expected.add(new Expected(user, iso(a), iso(a.plus(Duration.ofMinutes(2))), 3));
            expected.add(new Expected(user, iso(b), iso(b.plus(Duration.ofMinutes(1))), 2));
        }
        events.sort(Comparator.comparing(Ev::ts).thenComparing(Ev::user));
        Instant cut = T.plus(Duration.ofMinutes(40));
        List<Map.Entry<String, String>> phase1 = new ArrayList<>();
        List<Map.Entry<String, String>> phase2 = new ArrayList<>();
        for (Ev e : events) {
            (e.ts().isBefore(cut) ? phase1 : phase2).add(Map.entry(e.user(), e.json()));
            // A resend of three events right after the original: duplicates, dropped and counted.
            if (RESENT.stream().anyMatch(id -> e.json().contains("\"event_id\":\"" + id + "\""))) {
                (e.ts().isBefore(cut) ? phase1 : phase2).add(Map.entry(e.user(), e.json()));
            }
        }
        // Invalid records: 3 before the crash, 2 after. They go to the DLQ.
        phase1.add(1, Map.entry("eos-u00", "not json"));
        phase1.add(50, Map.entry("eos-u03", "{\"event_id\":\"x\",\"user_id\":\"eos-u03\",\"type\":\"click\"}"));
        phase1.add(Map.entry("eos-u04", "[1,2,3]"));
        phase2.add(3, Map.entry("eos-u05", "{\"event_id\":\"y\",\"user_id\":\"eos-u05\",\"ts\":\"yesterday\",\"type\":\"click\"}"));
        // Too late: two hours before stream time, forming sessions that are final on arrival.
        phase2.add(5, Map.entry("eos-late-1", pageView("eos-late-1", "l0", T.minus(Duration.ofHours(2))).json()));
        phase2.add(9, Map.entry("eos-late-2", pageView("eos-late-2", "l0", T.minus(Duration.ofHours(2))).json()));
        phase2.add(Map.entry("eos-u06", "{\"event_id\":\"z\",\"user_id\":\"\",\"ts\":1,\"type\":\"click\"}"));
        // Finally, on every partition, an event three hours later: it closes every session above.
        for (int p = 0; p < Servers.EVENT_PARTITIONS; p++) {
            String closer = closerFor(p);
            phase2.add(Map.entry(closer, pageView(closer, "c0", T.plus(Duration.ofHours(3))).json()));
        }

        String eventsTopic = topics.get("sessionizer.topics.events");
        String sessionsTopic = topics.get("sessionizer.topics.sessions");
        AppProcess first = AppProcess.start("eos-1", env);
        try {
            long readyMs = awaitReady(first);
            long rssKb = first.rssKb();
            report(readyMs, rssKb);

            Events.send(eventsTopic, phase1);
            // Some sessions closed and committed: now crash, in the middle of the stream.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !Events.readCommitted(sessionsTopic).isEmpty());
            first.kill();
            int beforeCrash = Events.readCommitted(sessionsTopic).size();
            System.out.println("[sessionizer eos] sessions committed when killed: " + beforeCrash);
            assertThat(beforeCrash).isBetween(1, expected.size() - 1);
        } finally {
            first.close();
        }
        assertThat(first.isAlive()).isFalse();

        try (AppProcess second = AppProcess.start("eos-2", env)) {
            Events.send(eventsTopic, phase2);
            awaitReady(second);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Events.readCommitted(sessionsTopic).size() >= expected.size());
        }
        // The service stopped cleanly: every transaction is committed or aborted, nothing is pending.
        List<Expected> actual = new ArrayList<>();
        for (ConsumerRecord<String, String> r : Events.readCommitted(sessionsTopic)) {
            JsonNode s = JSON.readTree(r.value());
            assertThat(r.key()).isEqualTo(s.get("user_id").asText());
            assertThat(s.get("closed_at").isNull()).isFalse();
            actual.add(new Expected(s.get("user_id").asText(), s.get("session_start").asText(),
                    s.get("session_end").asText(), s.get("event_count").asInt()));
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.dlq"))).hasSize(5);
        List<ConsumerRecord<String, String>> late = Events.readCommitted(topics.get("sessionizer.topics.late"));
        assertThat(late).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("eos-late-1", "eos-late-2");
    }

    static Ev pageView(String user, String id, Instant ts) {
        return new Ev(ts, user, Events.pageView(user + "-" + id, user, iso(ts), "https://shop.example.com/p/" + id));
    }

    static String iso(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(t);
    }

    /** A user id that Kafka's default partitioner puts on partition p of clickstream.events. */
    static String closerFor(int partition) {
        for (int n = 0; ; n++) {
            String user = "eos-close-" + n;
            if (Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % Servers.EVENT_PARTITIONS == partition) {
                return user;
            }
        }
    }

    /** Milliseconds from process start to the first 200 of /q/health/ready. */
    static long awaitReady(AppProcess app) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> app.get("/q/health/ready").status() == 200);
        return (System.nanoTime() - app.startedNanos) / 1_000_000;
    }

    static void report(long readyMs, long rssKb) throws Exception {
        String line = String.format("JVM mode, broker up, fresh state: ready after %d ms, VmRSS %d MB (%d kB)%n",
                readyMs, rssKb / 1024, rssKb);
        System.out.print("[sessionizer startup] " + line);
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "startup-figures.txt"), line,
                StandardCharsets.UTF_8);
    }
}
