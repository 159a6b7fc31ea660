package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.source.SessionSources;
import com.acme.clickstream.flink.support.CollectingSink;
import com.acme.clickstream.flink.support.FlinkTestCluster;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's Kafka source against a broker with SCRAM-SHA-512 authentication and ACL authorization, as a user with
 * exactly the ACLs of the KafkaUser clickstream-flink-sink in k8s/kafka.yaml, configured only through the
 * environment variables of k8s/flink.yaml: it reads the sessions and commits the checkpointed offsets to its group.
 * The JAAS line is in a file ({@code KAFKA_SASL_JAAS_CONFIG_FILE}, as a mounted Secret), which the job graph only
 * names: the source's enumerator (JobManager) and readers (TaskManager) read it when they create their clients, so
 * authentication proves the reference is resolved at run time (the variable form cannot be set in this JVM).
 */
class KafkaAclIT {
    static final String USER = "clickstream-flink-sink";

    static List<AclBinding> aclsOf(String user) throws Exception {
        Path manifest = Path.of(System.getProperty("flink.k8s.kafka", "../k8s/kafka.yaml"));
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
                        default -> throw new IllegalArgumentException("resource type " + r.path("type"));
                    };
                    PatternType pattern = r.path("patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL;
                    for (JsonNode op : acl.path("operations")) {
                        AclOperation operation = AclOperation.valueOf(op.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase());
                        bindings.add(new AclBinding(new ResourcePattern(type, r.path("name").asText(), pattern),
                                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
                    }
                }
            }
        }
        assertThat(bindings).as("ACLs of KafkaUser " + user + " in " + manifest).isNotEmpty();
        return bindings;
    }

    @Test
    void readsTheSessionsAndCommitsItsGroupAsItsKafkaUser(@TempDir Path dir) throws Exception {
        JobClient job = null;
        try (KafkaBroker kafka = KafkaBroker.startSecured(dir.resolve("kafka"));
             Topics topic = new Topics(kafka, SinkJobConfig.DEFAULT_TOPIC, 2)) {
            String password = UUID.randomUUID().toString();
            kafka.createScramUser(USER, password);
            try (Admin admin = kafka.admin()) {
                admin.createAcls(aclsOf(USER)).all().get();
            }
            List<SessionRow> rows = Sessions.rows("acl", 0, 20);
            rows.forEach(topic::send);

            // As Kubernetes mounts a Secret's key: a file of its own in a directory of the Secret.
            Path jaas = Files.createDirectories(dir.resolve("kafka-user")).resolve("sasl.jaas.config");
            Files.writeString(jaas, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + USER + "\" password=\"" + password + "\";\n");
            SinkJobConfig config = SinkJobConfig.fromArgs(new String[0], Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.saslBootstrapServers(),
                    "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                    "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                    "KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(),
                    "JDBC_URL", "jdbc:postgresql://127.0.0.1:9/unused",
                    "CHECKPOINT_INTERVAL", "PT0.3S",
                    "CHECKPOINT_DIR", dir.resolve("checkpoints").toString()));
            assertThat(config.groupId()).isEqualTo(USER);
            assertThat(SessionSources.kafka(config)).as("the source holds the file's name, not the password")
                    .satisfies(source -> assertThat(org.apache.flink.util.InstantiationUtil.serializeObject(source))
                            .asString(java.nio.charset.StandardCharsets.ISO_8859_1).doesNotContain(password)
                            .contains("${dir:" + jaas.getParent() + ":sasl.jaas.config}"));

            FlinkTestCluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            CollectingSink<SessionRow> sessions = new CollectingSink<>("acl-sessions");
            CollectingSink<RejectedRecord> rejected = new CollectingSink<>("acl-rejected");
            new SessionSinkJob(config).build(env, SessionSources.kafka(config), sessions, rejected);
            job = env.executeAsync("acl");

            await().atMost(Duration.ofSeconds(90)).until(() -> sessions.received().size() >= rows.size());
            assertThat(sessions.received()).containsExactlyInAnyOrderElementsOf(rows);
            assertThat(rejected.received()).isEmpty();
            // A completed checkpoint commits the offsets to the group (Read on the group).
            try (Admin admin = kafka.admin()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    Map<TopicPartition, ?> committed = admin.listConsumerGroupOffsets(USER)
                            .partitionsToOffsetAndMetadata().get();
                    return committed.size() == 2;
                });
            }
        } finally {
            Jobs.cancel(job);
        }
    }
}
