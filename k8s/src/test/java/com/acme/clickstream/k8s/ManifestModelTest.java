package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Every manifest of k8s/ parses into the official model of its kind, unknown fields rejected. */
class ManifestModelTest {

    static Stream<Manifests.Doc> manifests() {
        return Manifests.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void conformsToItsModel(Manifests.Doc doc) {
        assertThat(StrictModels.problems(doc.tree())).as(doc.toString()).isEmpty();
    }

    @Test
    void everyFileHasDocumentsAndEveryKindIsExpected() {
        assertThat(Manifests.files()).extracting(p -> p.getFileName().toString()).containsExactly(
                "alerts.yaml", "flink.yaml", "kafka.yaml", "monitoring.yaml", "namespace.yaml", "network-policies.yaml",
                "postgres.yaml", "sessionizer.yaml");
        for (var f : Manifests.files()) assertThat(Manifests.read(f)).as(f.toString()).isNotEmpty();
        assertThat(Manifests.all()).extracting(Manifests.Doc::kind).contains(
                "StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap", "KafkaTopic", "Kafka",
                "KafkaNodePool", "KafkaUser", "FlinkDeployment", "Cluster", "ScheduledBackup", "NetworkPolicy", "ServiceMonitor",
                "PrometheusRule", "Job");
    }

    @Test
    void flinkVersionIsTheJobsFlinkVersion() {
        // Replaced for the 1.10.0 model parse (see StrictModels): checked exactly here instead.
        assertThat(Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("flinkVersion").asText())
                .isEqualTo("v2_0");
    }

    // --- the checker itself must catch mistakes -------------------------------------------------

    private static ObjectNode copy(String kind, String name) {
        return Manifests.one(kind, name).tree().deepCopy();
    }

    private static ObjectNode at(JsonNode root, String... path) {
        JsonNode n = root;
        for (String p : path) n = p.matches("\\d+") ? n.get(Integer.parseInt(p)) : n.get(p);
        return (ObjectNode) n;
    }

    @Test
    void rejectsAMisspelledFieldInACoreKind() {
        ObjectNode sts = copy("StatefulSet", "sessionizer");
        at(sts, "spec", "template", "spec", "containers", "0").set("readinesProbe",
                at(sts, "spec", "template", "spec", "containers", "0", "readinessProbe"));
        assertThat(StrictModels.problems(sts)).singleElement().asString()
                .contains("readinesProbe").contains("unknown field");
    }

    @Test
    void rejectsAMisspelledFieldDeepInAPodTemplate() {
        ObjectNode sts = copy("StatefulSet", "sessionizer");
        at(sts, "spec", "template", "spec", "containers", "0", "securityContext").put("readOnlyRootFileSystem", true);
        assertThat(StrictModels.problems(sts)).anySatisfy(p -> assertThat(p).contains("readOnlyRootFileSystem"));
    }

    @Test
    void rejectsANumberOrBooleanWhereKubernetesWantsAString() {
        ObjectNode cm = copy("ConfigMap", "sessionizer-config");
        at(cm, "data").put("SESSIONIZER_SPLIT_ON_CAMPAIGN", false);
        assertThat(StrictModels.problems(cm)).isNotEmpty();
        ObjectNode cm2 = copy("ConfigMap", "sessionizer-config");
        at(cm2, "data").put("KAFKA_STREAMS_NUM_STANDBY_REPLICAS", 1);
        assertThat(StrictModels.problems(cm2)).isNotEmpty();
    }

    @Test
    void rejectsAMisspelledFieldInStrimziKinds() {
        ObjectNode topic = copy("KafkaTopic", "clickstream.events");
        at(topic, "spec").put("partition", 12);
        assertThat(StrictModels.problems(topic)).anySatisfy(p -> assertThat(p).contains("partition"));
        ObjectNode kafka = copy("Kafka", "clickstream-kafka");
        at(kafka, "spec", "kafka", "listeners", "0").put("tsl", false);
        assertThat(StrictModels.problems(kafka)).anySatisfy(p -> assertThat(p).contains("tsl"));
    }

    @Test
    void rejectsAMisspelledOrRetiredFieldInAKafkaUser() {
        ObjectNode user = copy("KafkaUser", "clickstream-sessionizer");
        at(user, "spec", "authorization", "acls", "0", "resource").put("patternTyp", "prefix");
        assertThat(StrictModels.problems(user)).anySatisfy(p -> assertThat(p).contains("patternTyp"));
        ObjectNode user2 = copy("KafkaUser", "clickstream-sessionizer");
        at(user2, "spec", "authorization", "acls", "0").put("operation", "Read");
        assertThat(StrictModels.problems(user2)).anySatisfy(p -> assertThat(p).contains("operation").contains("not in kafka.strimzi.io/v1"));
        ObjectNode user3 = copy("KafkaUser", "clickstream-sessionizer");
        ((com.fasterxml.jackson.databind.node.ArrayNode) at(user3, "spec", "authorization", "acls", "0").get("operations")).add("Reed");
        assertThat(StrictModels.problems(user3)).isNotEmpty();
    }

    @Test
    void rejectsAStrimziFieldThatTheV1ApiNoLongerHas() {
        ObjectNode kafka = copy("Kafka", "clickstream-kafka");
        at(kafka, "spec", "kafka").put("replicas", 3);
        assertThat(StrictModels.problems(kafka)).containsExactly(".spec.kafka.replicas: not in kafka.strimzi.io/v1 (only v1beta2)");
        assertThat(StrictModels.inRange("v1alpha1-v1beta2", "v1")).isFalse();
        assertThat(StrictModels.inRange("v1beta2+", "v1")).isTrue();
        assertThat(StrictModels.inRange("v1beta2", "v1beta2")).isTrue();
    }

    @Test
    void rejectsAMisspelledFieldOrValueInTheFlinkDeployment() {
        ObjectNode fd = copy("FlinkDeployment", "clickstream-flink-sink");
        at(fd, "spec", "job").put("upgradeMod", "last-state");
        assertThat(StrictModels.problems(fd)).anySatisfy(p -> assertThat(p).contains("upgradeMod"));
        ObjectNode fd2 = copy("FlinkDeployment", "clickstream-flink-sink");
        at(fd2, "spec", "job").put("upgradeMode", "last_state");
        assertThat(StrictModels.problems(fd2)).isNotEmpty();
        ObjectNode fd3 = copy("FlinkDeployment", "clickstream-flink-sink");
        ((ArrayNode) at(fd3, "spec", "podTemplate", "spec").get("containers")).addObject().put("name", "x").put("imagePullPolcy", "Always");
        assertThat(StrictModels.problems(fd3)).anySatisfy(p -> assertThat(p).contains("imagePullPolcy"));
    }

    @Test
    void rejectsAMisspelledFieldInTheCloudNativePgClusterAndMonitors() {
        ObjectNode pg = copy("Cluster", "clickstream-db");
        at(pg, "spec", "postgresql").putObject("paramters").put("max_prepared_transactions", "16");
        assertThat(StrictModels.problems(pg)).anySatisfy(p -> assertThat(p).contains("paramters"));
        ObjectNode pg2 = copy("Cluster", "clickstream-db");
        at(pg2, "spec", "postgresql", "parameters").put("max_prepared_transactions", 16);
        assertThat(StrictModels.problems(pg2)).isNotEmpty();
        ObjectNode sm = copy("ServiceMonitor", "sessionizer");
        at(sm, "spec", "endpoints", "0").put("paht", "/q/metrics");
        assertThat(StrictModels.problems(sm)).anySatisfy(p -> assertThat(p).contains("paht"));
    }

    @Test
    void rejectsAnUnknownKindOrApiVersion() {
        ObjectNode topic = copy("KafkaTopic", "clickstream.events");
        topic.put("apiVersion", "kafka.strimzi.io/v1beta3");
        assertThat(StrictModels.problems(topic)).containsExactly("no model for apiVersion/kind 'kafka.strimzi.io/v1beta3 KafkaTopic'");
    }

    @Test
    void acceptsTheUnchangedCopies() {
        for (String[] kn : List.of(new String[] {"StatefulSet", "sessionizer"}, new String[] {"KafkaTopic", "clickstream.events"},
                new String[] {"FlinkDeployment", "clickstream-flink-sink"}, new String[] {"Cluster", "clickstream-db"})) {
            assertThat(StrictModels.problems(copy(kn[0], kn[1]))).isEmpty();
        }
    }
}
