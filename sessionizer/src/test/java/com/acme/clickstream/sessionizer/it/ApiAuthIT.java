package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import io.smallrye.jwt.build.Jwt;

/**
 * The optional bearer-token authentication of {@code /api} (SESSIONIZER_API_AUTH_ENABLED), on the packaged jar: a
 * request without a token, with a token signed by another key, from another issuer or expired, gets 401; a valid
 * token gets the answer. Health stays reachable without a token (probes carry none). Without the setting the API
 * is open, as every other test shows.
 */
class ApiAuthIT {
    static final String ISSUER = "https://issuer.example.test/realms/clickstream";

    @Test
    void apiNeedsAValidBearerTokenWhenAuthenticationIsOn() throws Exception {
        KeyPair key = rsa();
        KeyPair otherKey = rsa();
        Map<String, String> topics = Servers.createTopics("auth.");
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-auth-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("auth-state").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.put("SESSIONIZER_API_AUTH_ENABLED", "true");
        // No OIDC provider in the test: the provider's signing key given directly, as QUARKUS_OIDC_PUBLIC_KEY allows.
        env.put("QUARKUS_OIDC_PUBLIC_KEY", Base64.getEncoder().encodeToString(key.getPublic().getEncoded()));
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", ISSUER);
        env.putAll(Servers.asEnv(topics));

        String path = "/api/users/auth-u1/sessions/open";
        try (AppProcess app = AppProcess.start("auth", env)) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> app.get("/q/health/ready").status() == 200);
            String valid = token(key, ISSUER, 300);

            // Open sessions need Kafka Streams RUNNING: a valid token gets 200 (an unknown user has none).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> app.get(path, bearer(valid)).status() == 200);
            assertThat(app.get(path, bearer(valid)).body()).isEqualTo("[]");

            assertThat(app.get(path).status()).as("no token").isEqualTo(401);
            assertThat(app.get(path, bearer(token(otherKey, ISSUER, 300))).status()).as("another key").isEqualTo(401);
            assertThat(app.get(path, bearer(token(key, "https://elsewhere.test", 300))).status()).as("another issuer")
                    .isEqualTo(401);
            assertThat(app.get(path, bearer(token(key, ISSUER, -600))).status()).as("expired").isEqualTo(401);
            assertThat(app.get(path, Map.of("Authorization", "Basic dXNlcjpwYXNz")).status()).as("not a bearer token")
                    .isEqualTo(401);
            assertThat(app.get("/api/kpis/daily?from=2026-01-01&to=2026-01-02").status()).as("history too")
                    .isEqualTo(401);
            assertThat(app.get("/q/health/live").status()).as("health needs no token").isEqualTo(200);
        }
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** A token signed with {@code key}, expiring {@code expiresInSeconds} from its issue (negative: in the past). */
    static String token(KeyPair key, String issuer, long expiresInSeconds) {
        long now = System.currentTimeMillis() / 1000;
        long issuedAt = expiresInSeconds > 0 ? now : now + expiresInSeconds - 60;
        return Jwt.issuer(issuer).subject("bi-dashboard").issuedAt(issuedAt).expiresAt(issuedAt + Math.abs(expiresInSeconds))
                .sign(key.getPrivate());
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
