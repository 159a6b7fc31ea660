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
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Records keyed by their user id but written to another partition than Kafka's default partitioner gives that id
 * (what a producer with another partitioner does: librdkafka's default hashes keys with CRC32, not murmur2; or one
 * that chooses partitions itself) are sessionized with the rest of their user's events, on the user's partition.
 * Before the fix they were sessionized where they arrived: each user below came out as two sessions of one event.
 */
class PartitionRoutingIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int USERS = 6;

    @Test
    void aUsersEventsOnAnotherPartitionJoinTheSessionOnItsOwn() throws Exception {
        Map<String, String> topics = Servers.createTopics("routing.");
        String eventsTopic = topics.get("sessionizer.topics.events");
        Map<String, String> env = new HashMap<>(Servers.asEnv(topics));
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-routing-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("routing-state").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.put("SESSIONIZER_INACTIVITY_GAP", "PT1M");
        env.put("SESSIONIZER_GRACE", "PT0S");

        Instant t0 = Instant.parse("2026-11-24T09:00:00Z");
        List<ProducerRecord<String, String>> visits = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = "routing-user-" + i;
            int own = partitionOf(user);
            int other = (own + 1) % Servers.EVENT_PARTITIONS;
            // Keyed by the user both times; the second on a partition the default partitioner would not choose.
            visits.add(new ProducerRecord<>(eventsTopic, own, user,
                    Events.pageView(user + "-a", user, t0.toString(), "/p/" + i)));
            visits.add(new ProducerRecord<>(eventsTopic, other, user,
                    Events.pageView(user + "-b", user, t0.plusSeconds(10).toString(), "/cart")));
        }
        // Then, on every partition, a user far later in event time, so that every session above is final.
        List<ProducerRecord<String, String>> closers = new ArrayList<>();
        for (int p = 0; p < Servers.EVENT_PARTITIONS; p++) {
            String closer = userOnPartition(p);
            closers.add(new ProducerRecord<>(eventsTopic, p, closer,
                    Events.pageView(closer + "-late", closer, t0.plus(Duration.ofHours(1)).toString(), "/")));
        }

        String sessionsTopic = topics.get("sessionizer.topics.sessions");
        try (AppProcess app = AppProcess.start("routing", env)) {
            send(visits);
            // Each user's open session holds both events, the one on the user's partition and the one from
            // elsewhere; before the fix each task had one of them, and the user's own partition showed one.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (int i = 0; i < USERS; i++) {
                    AppProcess.HttpResult r = app.get("/api/users/routing-user-" + i + "/sessions/open");
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    JsonNode open = JSON.readTree(r.body());
                    assertThat(open.size()).as(r.body()).isEqualTo(1);
                    assertThat(open.get(0).get("event_count").asInt()).as(r.body()).isEqualTo(2);
                }
            });
            // The later events make every session final (sent only now: in a backlog the repartitioned copy of a
            // record can still come after its partition's stream time passed it, the limit the README describes).
            send(closers);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Events.readCommitted(sessionsTopic).size() >= USERS);
        }
        Map<String, List<String>> byUser = new TreeMap<>();
        for (ConsumerRecord<String, String> r : Events.readCommitted(sessionsTopic)) {
            JsonNode s = JSON.readTree(r.value());
            byUser.computeIfAbsent(s.get("user_id").asText(), u -> new ArrayList<>())
                    .add(s.get("session_start").asText() + " " + s.get("event_count").asInt());
        }
        Map<String, List<String>> expected = new TreeMap<>();
        for (int i = 0; i < USERS; i++) {
            expected.put("routing-user-" + i, List.of("2026-11-24T09:00:00.000Z 2"));
        }
        assertThat(byUser).isEqualTo(expected);
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.late"))).isEmpty();
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.dlq"))).isEmpty();
    }

    static void send(List<ProducerRecord<String, String>> records) {
        try (KafkaProducer<String, String> producer = Events.producer()) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r);
            }
            producer.flush();
        }
    }

    static int partitionOf(String user) {
        return Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % Servers.EVENT_PARTITIONS;
    }

    static String userOnPartition(int partition) {
        for (int i = 0; ; i++) {
            String user = "routing-closer-" + i;
            if (partitionOf(user) == partition) {
                return user;
            }
        }
    }
}
