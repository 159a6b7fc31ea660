package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The contract's idle rule against a real broker, through the real consumer-lag lookup (the main consumer's
 * {@code records-lag} metric): a backlog produced while the service was down is drained slowly (every fetch of the
 * main consumer waits {@code fetch.max.wait.ms} = 2.5 s and returns one record batch per partition), so between two
 * records of a user more than {@code idle-advance-after} (1 s) + gap (1 s) + grace (0) of wall clock pass.
 * Judged by processed records alone, the partitions would look idle, their stream time would advance and close
 * the sessions early, and the later events would go to the late topic. With the lag they are not idle: every
 * session is whole and nothing is late.
 */
class IdleAdvanceBacklogIT {
    static final String PREFIX = "idle.";
    static final Instant T = Instant.parse("2026-11-20T08:00:00Z");
    static final int EVENTS_PER_USER = 3;
    static final ObjectMapper JSON = new ObjectMapper();

    record Line(String user, String start, String end, int events) {}

    @Test
    void aBacklogDrainedSlowlyIsNotCutShortByTheIdleAdvance() throws Exception {
        Map<String, String> topics = Servers.createTopics(PREFIX);
        // Two users on two different partitions of the events topic, each event its own record batch.
        List<String> users = List.of(userOn(0), userOn(1));
        List<ProducerRecord<String, String>> backlog = new ArrayList<>();
        List<Line> expected = new ArrayList<>();
        for (String user : users) {
            for (int k = 0; k < EVENTS_PER_USER; k++) {
                Instant ts = T.plusSeconds(k);   // 1 s apart: not more than the gap, one session
                backlog.add(new ProducerRecord<>(topics.get("sessionizer.topics.events"), user,
                        Events.pageView(user + "-e" + k, user, ExactlyOnceIT.iso(ts), "https://shop.example.com/p/" + k)));
            }
            expected.add(new Line(user, ExactlyOnceIT.iso(T), ExactlyOnceIT.iso(T.plusSeconds(EVENTS_PER_USER - 1)),
                    EVENTS_PER_USER));
        }
        sendOneBatchEach(backlog);

        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-idle-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("idle-state").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.put("SESSIONIZER_INACTIVITY_GAP", "PT1S");
        env.put("SESSIONIZER_GRACE", "PT0S");
        env.put("SESSIONIZER_IDLE_ADVANCE_AFTER", "PT1S");
        // The main consumer only (not the restore and global consumers): one batch per partition per fetch, and
        // every fetch waits the full fetch.max.wait.ms for a fetch.min.bytes it never gets.
        env.put("JAVA_TOOL_OPTIONS", String.join(" ",
                "-Dkafka-streams.main.consumer.max.partition.fetch.bytes=1",
                "-Dkafka-streams.main.consumer.fetch.min.bytes=10000000",
                "-Dkafka-streams.main.consumer.fetch.max.wait.ms=2500",
                "-Dkafka-streams.main.consumer.max.poll.records=1"));
        env.putAll(Servers.asEnv(topics));

        String sessionsTopic = topics.get("sessionizer.topics.sessions");
        long started = System.nanoTime();
        long[] firstOpenSeen = {-1};
        long[] closedSeen = {-1};
        try (AppProcess app = AppProcess.start("idle", env)) {
            // The start alone took 35 s on a machine shared with other builds.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (firstOpenSeen[0] < 0) {
                    AppProcess.HttpResult r = app.get("/api/users/" + users.get(0) + "/sessions/open");
                    if (r.status() == 200 && JSON.readTree(r.body()).size() > 0) {
                        firstOpenSeen[0] = System.nanoTime();
                    }
                }
                return Events.readCommitted(sessionsTopic).size() >= expected.size();
            });
            closedSeen[0] = System.nanoTime();
            long drainedMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("[sessionizer idle] sessions closed " + drainedMs + " ms after the start");
        }
        // The test only tests something if the drain really was slow: with the consumer overrides in effect each of
        // a user's three records comes with its own fetch, 2.5 s after the one before, so the first open session is
        // visible at least 5 s (two fetch waits) before the sessions close; without them all arrive in one fetch.
        assertThat(firstOpenSeen[0]).as("an open session was seen before the sessions closed").isPositive();
        long openToClosedMs = (closedSeen[0] - firstOpenSeen[0]) / 1_000_000;
        assertThat(openToClosedMs).as("ms from the first open session to both sessions closed").isGreaterThanOrEqualTo(5000);
        List<Line> actual = new ArrayList<>();
        for (ConsumerRecord<String, String> r : Events.readCommitted(sessionsTopic)) {
            JsonNode s = JSON.readTree(r.value());
            actual.add(new Line(s.get("user_id").asText(), s.get("session_start").asText(),
                    s.get("session_end").asText(), s.get("event_count").asInt()));
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.late"))).isEmpty();
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.dlq"))).isEmpty();
    }

    /** Each record acknowledged before the next is sent: one record batch per record. */
    static void sendOneBatchEach(List<ProducerRecord<String, String>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Servers.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
    }

    /** A user id that Kafka's default partitioner puts on this partition of the events topic. */
    static String userOn(int partition) {
        for (int n = 0; ; n++) {
            String user = "idle-u" + n;
            if (Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % Servers.EVENT_PARTITIONS
                    == partition) {
                return user;
            }
        }
    }
}
