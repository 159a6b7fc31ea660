package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two instances of the packaged service share the partitions: each user's open sessions live on one
 * of them, and either instance answers right for every user, forwarding to the owner when needed.
 */
class InteractiveQueriesIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int USERS = 12;

    @Test
    void everyInstanceAnswersForEveryUser() throws Exception {
        Map<String, String> topics = Servers.createTopics("iq.");
        Map<String, String> env = new HashMap<>(Servers.asEnv(topics));
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-iq-it");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");

        List<Map.Entry<String, String>> events = new ArrayList<>();
        Instant t = Instant.parse("2026-11-24T09:00:00Z");
        for (int i = 0; i < USERS; i++) {
            String user = "iq-user-" + i;
            events.add(Map.entry(user, Events.pageView(user + "-1", user, t.toString(), "/p/" + i)));
            events.add(Map.entry(user, Events.pageView(user + "-2", user, t.plusSeconds(90).toString(), "/cart")));
        }
        Events.send(topics.get("sessionizer.topics.events"), events);

        Map<String, String> envA = new HashMap<>(env);
        envA.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("iq-a").toString());
        Map<String, String> envB = new HashMap<>(env);
        envB.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("iq-b").toString());
        try (AppProcess a = AppProcess.start("iq-a", envA); AppProcess b = AppProcess.start("iq-b", envB)) {
            Set<String> servers = Set.of("127.0.0.1:" + a.port, "127.0.0.1:" + b.port);
            Set<String> answeredBy = new HashSet<>();
            // Until the group has settled, an instance may answer 503 (rebalancing): retry until
            // both give the right answer for every user.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                answeredBy.clear();
                for (int i = 0; i < USERS; i++) {
                    String user = "iq-user-" + i;
                    for (AppProcess app : List.of(a, b)) {
                        AppProcess.HttpResult r = app.get("/api/users/" + user + "/sessions/open");
                        assertThat(r.status()).as(user + " on " + app.port + ": " + r.body()).isEqualTo(200);
                        JsonNode sessions = JSON.readTree(r.body());
                        assertThat(sessions.size()).isEqualTo(1);
                        assertThat(sessions.get(0).get("user_id").asText()).isEqualTo(user);
                        assertThat(sessions.get(0).get("event_count").asInt()).isEqualTo(2);
                        assertThat(sessions.get(0).get("session_start").asText()).isEqualTo("2026-11-24T09:00:00.000Z");
                        assertThat(sessions.get(0).get("session_end").asText()).isEqualTo("2026-11-24T09:01:30.000Z");
                        assertThat(sessions.get(0).get("landing_page").asText()).isEqualTo("/p/" + i);
                        assertThat(servers).contains(r.servedBy());
                        answeredBy.add(app.port + "<-" + r.servedBy());
                    }
                }
            });
            // Each instance answered from its own store and from the other's (forwarded).
            assertThat(answeredBy).containsExactlyInAnyOrder(
                    a.port + "<-127.0.0.1:" + a.port, a.port + "<-127.0.0.1:" + b.port,
                    b.port + "<-127.0.0.1:" + a.port, b.port + "<-127.0.0.1:" + b.port);
        }
    }
}
