package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Kafka is authenticated (SCRAM-SHA-512), encrypted (TLS) and authorized (simple ACLs): one KafkaUser per workload
 * with exactly the ACLs it needs, and the two services of the pipeline connect as theirs.
 */
class KafkaSecurityTest {

    static final String APPLICATION_ID = "clickstream-sessionizer";

    /** "type:patternType:name" -> operations, of a KafkaUser. */
    static Map<String, Set<String>> acls(String user) {
        JsonNode spec = Manifests.one("KafkaUser", user).spec();
        assertThat(spec.path("authentication").path("type").asText()).as(user).isEqualTo("scram-sha-512");
        assertThat(spec.path("authorization").path("type").asText()).as(user).isEqualTo("simple");
        Map<String, Set<String>> acls = new TreeMap<>();
        for (JsonNode acl : spec.path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            assertThat(acl.path("type").asText("allow")).as(user + " " + r).isEqualTo("allow");
            assertThat(acl.has("host")).as(user + " " + r + ": any host").isFalse();
            String key = r.path("type").asText() + ":" + r.path("patternType").asText("literal") + ":" + r.path("name").asText();
            Set<String> ops = new TreeSet<>();
            acl.path("operations").forEach(o -> ops.add(o.asText()));
            assertThat(acls.put(key, ops)).as(user + ": one ACL per resource " + key).isNull();
        }
        return acls;
    }

    private static Set<String> ops(String... o) {
        return new TreeSet<>(List.of(o));
    }

    private static String topic(String suffix) {
        return "topic:literal:" + ConsistencyTest.CONTRACT_TOPICS.get(suffix);
    }

    @Test
    void theOnlyClientListenerIsTlsWithScramAndEveryOperationNeedsAnAcl() {
        JsonNode kafka = Manifests.ofKind("Kafka").get(0).spec().path("kafka");
        assertThat(kafka.path("listeners")).hasSize(1);
        JsonNode l = Consistency.kafkaClientListener();
        assertThat(l.path("tls").asBoolean()).isTrue();
        assertThat(l.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(kafka.path("authorization").path("type").asText()).isEqualTo("simple");
        assertThat(kafka.path("authorization").has("superUsers")).as("no workload is a super user").isFalse();
        assertThat(Manifests.ofKind("Kafka").get(0).spec().path("entityOperator").has("userOperator")).isTrue();
        // Network policies let the clients reach exactly that port.
        for (String np : List.of("sessionizer-egress")) {
            assertThat(Manifests.one("NetworkPolicy", np).spec().findValues("port").stream().map(JsonNode::asInt))
                    .contains(l.path("port").asInt()).doesNotContain(9092);
        }
    }

    @Test
    void everyWorkloadHasItsUserWithExactlyItsAcls() {
        assertThat(Manifests.ofKind("KafkaUser")).extracting(Manifests.Doc::name).containsExactlyInAnyOrder(
                "clickstream-sessionizer", "clickstream-flink-sink", "clickstream-producer", "clickstream-load-test");
        for (Manifests.Doc u : Manifests.ofKind("KafkaUser")) {
            assertThat(u.tree().path("metadata").path("labels").path("strimzi.io/cluster").asText()).as(u.toString())
                    .isEqualTo(Manifests.ofKind("Kafka").get(0).name());
        }

        Map<String, Set<String>> sessionizer = new LinkedHashMap<>();
        for (String in : List.of("EVENTS", "USERS", "PAGES")) sessionizer.put(topic(in), ops("Read", "Describe"));
        for (String out : List.of("SESSIONS", "DLQ", "LATE")) sessionizer.put(topic(out), ops("Write", "Describe"));
        // Internal topics (changelogs, repartition): created, read, written, purged, their configs checked.
        sessionizer.put("topic:prefix:" + APPLICATION_ID, ops("Create", "Read", "Write", "Delete", "Describe", "DescribeConfigs"));
        sessionizer.put("group:literal:" + APPLICATION_ID, ops("Read", "Describe"));
        // exactly_once_v2: transactional.id = <application.id>-<process id>-<thread>.
        sessionizer.put("transactionalId:prefix:" + APPLICATION_ID, ops("Write", "Describe"));
        assertThat(acls("clickstream-sessionizer")).isEqualTo(new TreeMap<>(sessionizer));

        String flinkGroup = Env.of(Consistency.flinkContainer()).get("KAFKA_GROUP_ID").value();
        assertThat(acls("clickstream-flink-sink")).isEqualTo(new TreeMap<>(Map.of(
                topic("SESSIONS"), ops("Read", "Describe"),
                "group:literal:" + flinkGroup, ops("Read", "Describe"))));

        Map<String, Set<String>> producer = new TreeMap<>();
        for (String in : List.of("EVENTS", "USERS", "PAGES")) producer.put(topic(in), ops("Write", "Describe"));
        assertThat(acls("clickstream-producer")).isEqualTo(producer);

        Map<String, Set<String>> loadTest = new TreeMap<>(producer);
        for (String out : List.of("SESSIONS", "DLQ", "LATE")) loadTest.put(topic(out), ops("Read", "Describe"));
        assertThat(acls("clickstream-load-test")).isEqualTo(loadTest);

        // Nobody else may write what becomes rows, and only the sessionizer joins its group.
        for (Manifests.Doc u : Manifests.ofKind("KafkaUser")) {
            Map<String, Set<String>> a = acls(u.name());
            if (!u.name().equals("clickstream-sessionizer")) {
                assertThat(a.getOrDefault(topic("SESSIONS"), Set.of())).as(u.name()).doesNotContain("Write", "All");
                assertThat(a.keySet()).as(u.name()).noneMatch(k -> k.contains(APPLICATION_ID));
            }
            a.values().forEach(o -> assertThat(o).as(u.name()).doesNotContain("All", "Alter", "AlterConfigs", "ClusterAction"));
            assertThat(a.keySet()).as(u.name()).noneMatch(k -> k.startsWith("cluster:"));
        }
    }

    @Test
    void theSessionizersPrefixIsItsApplicationId() {
        String props = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_PROPERTIES));
        assertThat(props).containsPattern("(?m)^quarkus\\.kafka-streams\\.application-id=" + APPLICATION_ID + "$");
    }

    @Test
    void theServicesConnectAsTheirUsersAndVerifyTheBrokersWithTheClusterCa() {
        String caSecret = Manifests.ofKind("Kafka").get(0).name() + "-cluster-ca-cert";
        Map<String, JsonNode> pods = Map.of(
                "clickstream-sessionizer", Consistency.sessionizerPod().path("spec"),
                "clickstream-flink-sink", Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate").path("spec"));
        Map<String, JsonNode> containers = Map.of(
                "clickstream-sessionizer", Consistency.sessionizerContainer(),
                "clickstream-flink-sink", Consistency.flinkContainer());
        for (var e : containers.entrySet()) {
            String user = e.getKey();
            Map<String, Env.Var> env = Env.of(e.getValue());
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS").value()).as(user).isEqualTo(Consistency.kafkaBootstrap());
            assertThat(env.get("KAFKA_SECURITY_PROTOCOL").value()).as(user).isEqualTo("SASL_SSL");
            assertThat(env.get("KAFKA_SASL_MECHANISM").value()).as(user).isEqualTo("SCRAM-SHA-512");
            // Strimzi's user Secret has the whole JAAS line (ScramLoginModule, user name, password).
            assertThat(env.get("KAFKA_SASL_JAAS_CONFIG").secret()).as(user).isEqualTo(user + "/sasl.jaas.config");
            String truststore = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION").value();
            String volume = null;
            for (JsonNode m : e.getValue().path("volumeMounts")) {
                if (truststore.startsWith(m.path("mountPath").asText() + "/")) {
                    volume = m.path("name").asText();
                    assertThat(m.path("readOnly").asBoolean()).isTrue();
                    assertThat(truststore).isEqualTo(m.path("mountPath").asText() + "/ca.crt");
                }
            }
            assertThat(volume).as(user + ": the trust store is a mounted file").isNotNull();
            JsonNode secret = null;
            for (JsonNode v : pods.get(user).path("volumes")) if (v.path("name").asText().equals(volume)) secret = v.path("secret");
            assertThat(secret).isNotNull();
            assertThat(secret.path("secretName").asText()).isEqualTo(caSecret);
            assertThat(secret.path("items").get(0).path("key").asText()).isEqualTo("ca.crt");
            assertThat(secret.path("items").get(0).path("path").asText()).isEqualTo("ca.crt");
        }
    }

    @Test
    void theClientSettingsAreOnesTheServicesRead() {
        // The sessionizer passes them to every Kafka Streams client; unset they keep PLAINTEXT (local stack).
        String props = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_PROPERTIES));
        assertThat(props).contains("kafka-streams.security.protocol=${KAFKA_SECURITY_PROTOCOL:PLAINTEXT}",
                "kafka-streams.sasl.mechanism=${KAFKA_SASL_MECHANISM:}", "kafka-streams.sasl.jaas.config=${KAFKA_SASL_JAAS_CONFIG:}",
                "kafka-streams.ssl.truststore.type=${KAFKA_SSL_TRUSTSTORE_TYPE:PEM}",
                "kafka-streams.ssl.truststore.location=${KAFKA_SSL_TRUSTSTORE_LOCATION:}");
        Set<String> flink = SourceConfig.flinkEnvNames(SourceConfig.sinkJobConfig().orElseThrow());
        assertThat(flink).contains("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG",
                "KAFKA_SSL_TRUSTSTORE_LOCATION");
    }
}
