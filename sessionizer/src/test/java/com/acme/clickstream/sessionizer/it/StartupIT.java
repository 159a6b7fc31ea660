package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;

/**
 * The packaged service as a child process: it starts and sessionizes with PostgreSQL down (nothing
 * listens on the JDBC port), and it is neither started nor ready until its topics exist.
 */
class StartupIT {

    @Test
    void startsWithoutPostgresAndIsReadyOnlyOnceItsTopicsExistAndKafkaStreamsRuns() throws Exception {
        String prefix = "startup.";
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-startup-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("startup-state").toString());
        int downPort = FreePorts.next();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + downPort + "/postgres");
        env.putAll(Servers.asEnv(Servers.topicSettings(prefix)));
        try (AppProcess app = AppProcess.start("startup", env)) {
            // HTTP is up while Kafka Streams waits for its topics: started, live and ready say DOWN.
            await().atMost(Duration.ofSeconds(60)).until(() -> app.get("/q/health/ready").status() != -1);
            AppProcess.HttpResult ready = app.get("/q/health/ready");
            assertThat(ready.status()).as(ready.body()).isEqualTo(503);
            assertThat(ready.body()).contains("missing_topics").contains("CREATED");
            assertThat(app.get("/q/health/started").status()).isEqualTo(503);
            AppProcess.HttpResult open = app.get("/api/users/u1/sessions/open");
            assertThat(open.status()).as(open.body()).isEqualTo(503);
            assertThat(open.retryAfter()).isEqualTo("2");

            Map<String, String> topics = Servers.createTopics(prefix);
            assertThat(topics).hasSize(6);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> app.get("/q/health/ready").status() == 200);
            assertThat(app.get("/q/health/started").status()).isEqualTo(200);
            assertThat(app.get("/q/health/live").status()).isEqualTo(200);

            // PostgreSQL down: its endpoints say 503 with a JSON message, never 500; the rest works.
            AppProcess.HttpResult history = app.get("/api/users/u1/sessions");
            assertThat(history.status()).as(history.body()).isEqualTo(503);
            // The body says what the caller can act on; where the database is and what the driver said stay in
            // the log.
            assertThat(history.body()).isEqualTo("{\"status\":503,\"error\":\"Service Unavailable\",\"message\":"
                    + "\"PostgreSQL is not available; finished sessions and KPIs cannot be read right now\"}");
            assertThat(history.body()).doesNotContain("127.0.0.1").doesNotContain(String.valueOf(downPort));
            assertThat(history.retryAfter()).isEqualTo("2");
            assertThat(app.get("/api/kpis/daily?from=2031-01-01&to=2031-01-02").status()).isEqualTo(503);
            assertThat(app.get("/api/users/u1/sessions/open").body()).isEqualTo("[]");
            assertThat(app.get("/q/health/ready").status()).isEqualTo(200);
        }
    }
}
