package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dedup store's changelog carries its first copies in one batch per commit, and only its restore callback turns
 * batches back into entries (streams.DedupStore). Two instances run with a standby of every task
 * ({@code num.standby.replicas=1}); one is killed with SIGKILL, and the other takes its tasks over from their
 * standbys. Copies of every event sent before the kill must then still be duplicates on every partition: an entry
 * lost on the way (on the standby, or in the restore of what it had not applied yet) would count an event twice.
 */
class DedupStoreIT {
    static final String PREFIX = "dedup.";
    static final String APP_ID = "sessionizer-dedup-it";
    static final int USERS = 300;
    static final Instant T = Instant.parse("2026-11-21T08:00:00Z");

    @Test
    void copiesSentAfterAFailOverToTheStandbysAreStillDuplicates() throws Exception {
        Map<String, String> topics = Servers.createTopics(PREFIX);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", APP_ID);
        env.put("KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1");
        env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.putAll(Servers.asEnv(topics));
        Map<String, String> env1 = new HashMap<>(env);
        env1.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("dedup-state-1").toString());
        Map<String, String> env2 = new HashMap<>(env);
        env2.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("dedup-state-2").toString());

        // User i: three events a minute apart from T + i s (one open session each), all before the kill.
        List<Map.Entry<String, String>> before = new ArrayList<>();
        List<Map.Entry<String, String>> after = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = String.format("dd-u%04d", i);
            Instant a = T.plusSeconds(i);
            for (int k = 0; k < 3; k++) {
                before.add(Map.entry(user, ExactlyOnceIT.pageView(user, "a" + k, a.plus(Duration.ofMinutes(k))).json()));
            }
            // After the fail-over: a copy of each of the three, and a fourth event.
            for (int k = 0; k < 3; k++) {
                after.add(Map.entry(user, ExactlyOnceIT.pageView(user, "a" + k, a.plus(Duration.ofMinutes(k))).json()));
            }
            after.add(Map.entry(user, ExactlyOnceIT.pageView(user, "a3", a.plus(Duration.ofMinutes(3))).json()));
        }
        for (int p = 0; p < Servers.EVENT_PARTITIONS; p++) {
            String closer = ExactlyOnceIT.closerFor(p);
            after.add(Map.entry(closer, ExactlyOnceIT.pageView(closer, "c0", T.plus(Duration.ofHours(3))).json()));
        }

        String eventsTopic = topics.get("sessionizer.topics.events");
        String sessionsTopic = topics.get("sessionizer.topics.sessions");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                Servers.kafka().bootstrapServers()));
             AppProcess second = AppProcess.start("dedup-2", env2)) {
            AppProcess first = AppProcess.start("dedup-1", env1);
            try {
                ExactlyOnceIT.awaitReady(first);
                ExactlyOnceIT.awaitReady(second);
                Events.send(eventsTopic, before);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ExactlyOnceIT.lag(admin, APP_ID, eventsTopic) == 0);
                // Both instances had active tasks (and so standbys of the other's): the kill moves tasks to standbys.
                long acceptedFirst = first.counter("sessionizer_events_accepted_total");
                long acceptedSecond = second.counter("sessionizer_events_accepted_total");
                assertThat(acceptedFirst).isPositive();
                assertThat(acceptedSecond).isPositive();
                first.kill();
            } finally {
                first.close();
            }
            Events.send(eventsTopic, after);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Events.readCommitted(sessionsTopic).size() >= USERS
                            && ExactlyOnceIT.lag(admin, APP_ID, eventsTopic) == 0);
            System.out.println("[dedup store] restores on the surviving instance:");
            second.output().lines().filter(l -> l.contains("dedup-ids") && l.contains("restor"))
                    .forEach(l -> System.out.println("  " + l));
        }
        List<String> counts = new ArrayList<>();
        for (ConsumerRecord<String, String> r : Events.readCommitted(sessionsTopic)) {
            JsonNode s = ExactlyOnceIT.JSON.readTree(r.value());
            counts.add(s.get("user_id").asText() + "=" + s.get("event_count").asInt());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            expected.add(String.format("dd-u%04d", i) + "=4");
        }
        assertThat(counts).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.late"))).isEmpty();
    }
}
