package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The alerts (alerts.yaml) use only metrics that something in the deployment exports, each has a runbook
 * paragraph in README.md, and their bounds agree with the configuration they watch. That the sessionizer's
 * metrics are really in its scrape is checked on the running service (sessionizer ApiIT).
 */
class AlertsTest {

    /** Flink's own job metrics (Prometheus reporter) the alerts use besides the job's operator metrics. */
    static final Set<String> FLINK_JOB_METRICS = Set.of("flink_jobmanager_job_lastCheckpointDuration",
            "flink_jobmanager_job_numberOfFailedCheckpoints", "flink_jobmanager_job_numRestarts");

    /** kube-state-metrics (part of kube-prometheus-stack, README "Prerequisites"): pod readiness. */
    static final Set<String> KUBE_STATE_METRICS = Set.of("kube_pod_status_ready");

    /** Prefixes of the Kafka Streams client metrics of the sessionizer (Micrometer's Kafka Streams binder). */
    static final List<String> KAFKA_STREAMS_BINDER = List.of("kafka_consumer_", "kafka_stream_");

    static Map<String, JsonNode> alerts() {
        Map<String, JsonNode> alerts = new LinkedHashMap<>();
        for (Manifests.Doc d : Manifests.ofKind("PrometheusRule")) {
            for (JsonNode g : d.spec().path("groups")) {
                for (JsonNode r : g.path("rules")) {
                    assertThat(r.has("alert")).as("only alerting rules: " + r).isTrue();
                    assertThat(alerts.put(r.path("alert").asText(), r)).as("unique name " + r.path("alert")).isNull();
                }
            }
        }
        return alerts;
    }

    private static final Pattern SELECTOR = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");

    /** Metric name -> its selectors, of one expression. Every metric of these rules has a selector. */
    static Map<String, List<String>> metrics(String expr) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        Matcher s = SELECTOR.matcher(expr);
        while (s.find()) m.computeIfAbsent(s.group(1), k -> new ArrayList<>()).add(s.group(2));
        return m;
    }

    /** cnpg_<query>_<column> of every query of the exporter ConfigMap that the Cluster names. */
    static Set<String> cnpgCustomMetrics() throws Exception {
        JsonNode ref = Manifests.one("Cluster", "clickstream-db").spec().path("monitoring").path("customQueriesConfigMap").get(0);
        String yaml = Manifests.one("ConfigMap", ref.path("name").asText()).tree().path("data").path(ref.path("key").asText()).asText();
        JsonNode queries = Manifests.YAML.readTree(yaml);
        Set<String> names = new TreeSet<>();
        queries.fields().forEachRemaining(q -> {
            for (JsonNode column : q.getValue().path("metrics")) {
                column.fields().forEachRemaining(c -> {
                    assertThat(c.getValue().path("usage").asText()).isIn("GAUGE", "COUNTER", "LABEL");
                    names.add("cnpg_" + q.getKey() + "_" + c.getKey());
                });
            }
        });
        return names;
    }

    @Test
    void theAgreedAlertsExist() {
        assertThat(alerts().keySet()).containsExactlyInAnyOrder("SessionizerEventsLagGrowing", "SessionizerStreamTimeLagHigh",
                "SessionizerFinalizationLagHigh", "SessionizerDlqRateSpike", "SessionizerReplicaNotReady",
                "SessionizerStateStoreMemoryNearBudget", "SessionizerStreamThreadReplaced", "FlinkCheckpointDurationNearInterval", "FlinkCheckpointsFailing",
                "FlinkJobRestarting", "PostgresOrphanedPreparedTransaction");
    }

    @Test
    void everyMetricIsOneTheDeploymentExportsAndIsScopedToTheNamespace() throws Exception {
        Set<String> known = new TreeSet<>();
        known.addAll(DashboardTest.sessionizerMeters());
        known.addAll(DashboardTest.flinkOperatorMetrics());
        known.addAll(FLINK_JOB_METRICS);
        known.addAll(cnpgCustomMetrics());
        known.addAll(KUBE_STATE_METRICS);
        assertThat(cnpgCustomMetrics()).contains("cnpg_clickstream_prepared_xacts_oldest_age_seconds");
        Set<String> unknown = new TreeSet<>();
        for (var a : alerts().entrySet()) {
            Map<String, List<String>> m = metrics(a.getValue().path("expr").asText());
            assertThat(m).as(a.getKey()).isNotEmpty();
            for (var e : m.entrySet()) {
                boolean binder = KAFKA_STREAMS_BINDER.stream().anyMatch(e.getKey()::startsWith);
                if (!binder && !known.contains(e.getKey())) unknown.add(a.getKey() + ": " + e.getKey());
                for (String sel : e.getValue()) {
                    assertThat(sel).as(a.getKey() + " " + e.getKey()).contains("namespace=\"" + Consistency.NAMESPACE + "\"");
                }
            }
            // Every metric name in the expression has a selector (no bare name escapes the check above).
            String bare = SELECTOR.matcher(a.getValue().path("expr").asText()).replaceAll("");
            assertThat(bare).as(a.getKey()).doesNotContainPattern("\\b(sessionizer|kafka|flink|cnpg|kube)_\\w+");
            String expr = a.getValue().path("expr").asText();
            int depth = 0;
            for (char c : expr.toCharArray()) {
                if (c == '(') depth++;
                if (c == ')') depth--;
                assertThat(depth).as(a.getKey() + ": parentheses").isGreaterThanOrEqualTo(0);
            }
            assertThat(depth).as(a.getKey() + ": parentheses").isZero();
        }
        assertThat(unknown).as("metrics that neither the sessionizer, the Flink job, the CloudNativePG queries nor "
                + "kube-state-metrics export").isEmpty();
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookParagraph() throws Exception {
        String readme = java.nio.file.Files.readString(Manifests.k8sDir().resolve("README.md"));
        for (var a : alerts().entrySet()) {
            JsonNode r = a.getValue();
            assertThat(r.path("labels").path("severity").asText()).as(a.getKey()).isIn("warning", "critical");
            assertThat(r.path("annotations").path("summary").asText()).as(a.getKey()).isNotBlank();
            assertThat(r.path("annotations").path("runbook").asText()).as(a.getKey())
                    .isEqualTo("k8s/README.md#" + a.getKey().toLowerCase());
            Matcher p = Pattern.compile("(?m)^### " + a.getKey() + "\\n\\n(\\S[^\\n]*)").matcher(readme);
            assertThat(p.find()).as("README.md: a '### " + a.getKey() + "' runbook paragraph").isTrue();
            if (r.has("for")) assertThat(r.path("for").asText()).matches("\\d+[smh]");
        }
    }

    private static double bound(String alert) {
        Matcher m = Pattern.compile(">\\s*([0-9.]+)\\s*$").matcher(alerts().get(alert).path("expr").asText().strip());
        assertThat(m.find()).as(alert + " ends with '> bound'").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theBoundsAgreeWithWhatTheyWatch() {
        Map<String, String> conf = new LinkedHashMap<>();
        Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("flinkConfiguration").fields()
                .forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        Duration interval = ConsistencyTest.flinkDuration(conf.get("execution.checkpointing.interval"));
        Duration timeout = ConsistencyTest.flinkDuration(conf.get("execution.checkpointing.timeout"));
        // "near the interval": between half of it and all of it (lastCheckpointDuration is in ms).
        assertThat(bound("FlinkCheckpointDurationNearInterval")).isBetween(interval.toMillis() * 0.5, interval.toMillis() * 1.0);
        // A prepared transaction of a pending checkpoint lives up to interval + timeout: the bound is beyond.
        assertThat(bound("PostgresOrphanedPreparedTransaction")).isGreaterThan(interval.plus(timeout).toSeconds());
        // The sessionizer alerts outlast the rebalance tolerance of readiness and the idle advance.
        Map<String, Env.Var> env = Env.of(Consistency.sessionizerContainer());
        Duration idle = Duration.parse(env.get("SESSIONIZER_IDLE_ADVANCE_AFTER").value());
        assertThat(bound("SessionizerStreamTimeLagHigh")).isGreaterThan(idle.toMillis() * 2);
        assertThat(Duration.parse("PT" + alerts().get("SessionizerReplicaNotReady").path("for").asText().toUpperCase()))
                .isGreaterThan(Duration.ofMinutes(2));
        // The lag alert watches the contract's events topic, the readiness alert the StatefulSet's pods.
        assertThat(alerts().get("SessionizerEventsLagGrowing").path("expr").asText())
                .contains("topic=\"" + ConsistencyTest.CONTRACT_TOPICS.get("EVENTS") + "\"");
        assertThat(alerts().get("SessionizerReplicaNotReady").path("expr").asText())
                .contains("pod=~\"" + Manifests.one("StatefulSet", "sessionizer").name() + "-[0-9]+\"");
    }

    @Test
    void theRulesAreLoadedFromTheNamespaceLikeTheMonitors() {
        Manifests.Doc rule = Manifests.ofKind("PrometheusRule").get(0);
        assertThat(rule.namespace()).isEqualTo(Consistency.NAMESPACE);
        assertThat(Manifests.one("Cluster", "clickstream-db").spec().path("monitoring").path("customQueriesConfigMap"))
                .hasSize(1);
        assertThat(Manifests.one("ConfigMap", "clickstream-db-monitoring").tree().path("metadata").path("labels")
                .has("cnpg.io/reload")).isTrue();
    }
}
