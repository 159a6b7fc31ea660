package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.acme.clickstream.devstack.KafkaBroker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The packaged service against a broker that enforces what the Strimzi cluster of k8s/ enforces: SCRAM-SHA-512
 * authentication and ACLs, nothing allowed without one. Its user gets exactly the ACLs of the KafkaUser
 * clickstream-sessionizer in k8s/kafka.yaml, and the service gets its credentials only through the documented
 * variables. It must become ready and sessionize exactly once (transactions, internal topics, its group, static
 * membership): the ACLs are enough, and the settings reach every client of Kafka Streams and Quarkus' topic check.
 */
class KafkaAclIT {
    static final String USER = "clickstream-sessionizer";

    /** The ACLs of a KafkaUser of k8s/kafka.yaml as Kafka bindings (Strimzi: principal User:&lt;name&gt;, any host). */
    static List<AclBinding> aclsOf(String user) throws Exception {
        Path manifest = Path.of(System.getProperty("sessionizer.k8s.kafka", "../k8s/kafka.yaml"));
        List<AclBinding> bindings = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                .readValues(Files.readString(manifest))) {
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                if (d == null || !d.path("kind").asText().equals("KafkaUser") || !d.path("metadata").path("name").asText().equals(user)) {
                    continue;
                }
                for (JsonNode acl : d.path("spec").path("authorization").path("acls")) {
                    JsonNode r = acl.path("resource");
                    ResourceType type = switch (r.path("type").asText()) {
                        case "topic" -> ResourceType.TOPIC;
                        case "group" -> ResourceType.GROUP;
                        case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                        case "cluster" -> ResourceType.CLUSTER;
                        default -> throw new IllegalArgumentException("resource type " + r.path("type"));
                    };
                    String name = type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText();
                    PatternType pattern = r.path("patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL;
                    for (JsonNode op : acl.path("operations")) {
                        AclOperation operation = AclOperation.valueOf(op.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase());
                        bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
                    }
                }
            }
        }
        assertThat(bindings).as("ACLs of KafkaUser " + user + " in " + manifest).isNotEmpty();
        return bindings;
    }

    /** The secured broker with the contract's topics, and the service's user with the ACLs of the manifest. */
    private static KafkaBroker securedBrokerWithTheServiceUser(String name, String password) throws Exception {
        KafkaBroker kafka = KafkaBroker.startSecured(Servers.scratch(name + "-kafka"));
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        kafka.createTopic("clickstream.events", 2);
        kafka.createTopic("clickstream.users", 1, compacted);
        kafka.createTopic("clickstream.pages", 1, compacted);
        kafka.createTopic("clickstream.sessions", 2);
        kafka.createTopic("clickstream.events.dlq", 1);
        kafka.createTopic("clickstream.events.late", 1);
        kafka.createScramUser(USER, password);
        try (Admin admin = kafka.admin()) {
            admin.createAcls(aclsOf(USER)).all().get();
        }
        return kafka;
    }

    /** The service's settings for this broker: its credentials only through the documented variables. */
    private static Map<String, String> serviceEnv(KafkaBroker kafka, String name, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.saslBootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";");
        env.put("SESSIONIZER_GROUP_INSTANCE_ID", "sessionizer-0");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch(name + "-state").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.put("SESSIONIZER_INACTIVITY_GAP", "PT1S");
        env.put("SESSIONIZER_GRACE", "PT0S");
        env.put("SESSIONIZER_IDLE_ADVANCE_AFTER", "PT1S");
        return env;
    }

    private static void awaitReady(AppProcess app) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> app.get("/q/health/ready").status() == 200);
    }

    @Test
    void sessionizesAsItsKafkaUserWithExactlyTheAclsOfTheManifest() throws Exception {
        String password = UUID.randomUUID().toString();
        try (KafkaBroker kafka = securedBrokerWithTheServiceUser("acl", password)) {
            Map<String, String> env = serviceEnv(kafka, "acl", password);
            try (AppProcess app = AppProcess.start("acl", env)) {
                awaitReady(app);

                // The harness writes on the super user's listener; everything the service does goes through its ACLs.
                Instant t = Instant.now().minusSeconds(60);
                Events.send(kafka.bootstrapServers(), "clickstream.events", List.of(
                        Map.entry("acl-u1", Events.pageView("acl-e1", "acl-u1", ExactlyOnceIT.iso(t), "https://shop.example.com/p/1")),
                        Map.entry("acl-u1", Events.pageView("acl-e2", "acl-u1", ExactlyOnceIT.iso(t.plusMillis(500)), "https://shop.example.com/p/2")),
                        Map.entry("acl-u2", "{not json")));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> Events.readCommitted(kafka.bootstrapServers(), "clickstream.sessions").size() >= 1);
                var sessions = Events.readCommitted(kafka.bootstrapServers(), "clickstream.sessions");
                assertThat(sessions).singleElement().satisfies(r -> {
                    assertThat(r.key()).isEqualTo("acl-u1");
                    assertThat(r.value()).contains("\"event_count\":2");
                });
                assertThat(Events.readCommitted(kafka.bootstrapServers(), "clickstream.events.dlq")).hasSize(1);
                assertThat(app.get("/q/health/ready").status()).isEqualTo(200);
                // Internal topics were created under the application id, as the prefix ACL allows.
                assertThat(kafka.topics()).anyMatch(n -> n.startsWith(USER + "-") && n.endsWith("-changelog"));
            }
            // The broker does enforce them: the same user may not read what it only writes.
            java.util.Properties p = new java.util.Properties();
            p.put("bootstrap.servers", kafka.saslBootstrapServers());
            p.put("security.protocol", "SASL_PLAINTEXT");
            p.put("sasl.mechanism", "SCRAM-SHA-512");
            p.put("sasl.jaas.config", env.get("KAFKA_SASL_JAAS_CONFIG"));
            try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                    new org.apache.kafka.common.serialization.StringDeserializer(),
                    new org.apache.kafka.common.serialization.StringDeserializer())) {
                consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("clickstream.sessions", 0)));
                consumer.seekToBeginning(consumer.assignment());
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                        .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
            }
        }
    }

    /**
     * A stream thread that dies is replaced, and what it had not committed comes out once from its successor. The
     * failure is a real one, an operator's slip: the service's write ACL on the sessions topic is taken away while a
     * session is due, so its send fails and the thread dies; the ACL is given back once a replacement was counted.
     * Without the handler Kafka Streams stops the client at the first failure and the session never comes out. The
     * session timeout is 3 minutes here, so that a dead static member left in the group (44 s of stall with the
     * service's 45 s, before its removal was built) cannot go unnoticed within the test's bounds.
     */
    @Test
    void aStreamThreadThatDiesIsReplacedAndTheSessionComesOutOnce() throws Exception {
        String password = UUID.randomUUID().toString();
        try (KafkaBroker kafka = securedBrokerWithTheServiceUser("acl-replace", password);
                Admin admin = kafka.admin();
                AppProcess app = AppProcess.start("acl-replace", serviceEnv(kafka, "acl-replace", password),
                        FreePorts.next(), List.of("-Dkafka-streams.consumer.session.timeout.ms=180000"))) {
            awaitReady(app);
            AclBinding writeSessions = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "clickstream.sessions", PatternType.LITERAL),
                    new AccessControlEntry("User:" + USER, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
            assertThat(aclsOf(USER)).as("the manifest grants it").contains(writeSessions);
            assertThat(admin.deleteAcls(List.of(writeSessions.toFilter())).all().get()).containsExactly(writeSessions);

            Instant t = Instant.parse("2026-12-01T10:00:00Z");
            Events.send(kafka.bootstrapServers(), "clickstream.events", List.of(
                    Map.entry("acl-u1", Events.pageView("acl-e1", "acl-u1", ExactlyOnceIT.iso(t), "https://shop.example.com/p/1")),
                    Map.entry("acl-u1", Events.pageView("acl-e2", "acl-u1", ExactlyOnceIT.iso(t.plusMillis(500)), "https://shop.example.com/p/2"))));
            await("a stream thread replaced").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> app.counter("sessionizer_stream_thread_replacements_total") >= 1);
            assertThat(app.get("/q/health/live").status()).as("live after the replacement").isEqualTo(200);
            assertThat(Events.readCommitted(kafka.bootstrapServers(), "clickstream.sessions")).as("nothing committed yet").isEmpty();

            admin.createAcls(List.of(writeSessions)).all().get();
            await("the session, once the ACL is back").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !Events.readCommitted(kafka.bootstrapServers(), "clickstream.sessions").isEmpty());
            assertThat(Events.readCommitted(kafka.bootstrapServers(), "clickstream.sessions")).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("acl-u1");
                assertThat(r.value()).contains("\"event_count\":2");
            });
            assertThat(Events.readCommitted(kafka.bootstrapServers(), "clickstream.events.late")).isEmpty();
            assertThat(app.counter("sessionizer_events_duplicate_total")).isZero();
            assertThat(app.get("/q/health/live").status()).isEqualTo(200);
            assertThat(app.output()).contains("a stream thread died: replacing it")
                    .contains("removed the static member sessionizer-0-1 of the dead");
        }
    }
}
