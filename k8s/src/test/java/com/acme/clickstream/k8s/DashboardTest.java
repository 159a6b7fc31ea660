package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The dashboard shows the metrics the service and the job really expose, and all of the agreed ones. */
class DashboardTest {

    /** The sessionizer's metrics as agreed (Prometheus names of the Micrometer meters). */
    static final Set<String> SESSIONIZER = Set.of(
            "sessionizer_events_accepted_total", "sessionizer_events_duplicate_total", "sessionizer_events_late_total",
            "sessionizer_events_invalid_total", "sessionizer_events_null_total", "sessionizer_sessions_emitted_total",
            "sessionizer_sessions_open", "sessionizer_stream_time_lag_milliseconds",
            "sessionizer_finalization_lag_milliseconds_count", "sessionizer_finalization_lag_milliseconds_sum",
            "sessionizer_finalization_lag_milliseconds_max");

    /** The Flink job's metrics as agreed (Prometheus reporter names). */
    static final Set<String> FLINK = Set.of(
            "flink_taskmanager_job_task_operator_sessionsWritten", "flink_taskmanager_job_task_operator_malformedRecords",
            "flink_taskmanager_job_task_operator_foreignPreparedTransactions",
            "flink_taskmanager_job_task_operator_unownedPreparedTransactionsCommitted",
            "flink_taskmanager_job_task_operator_lostTransactions",
            "flink_jobmanager_job_lastCheckpointDuration", "flink_jobmanager_job_numberOfCompletedCheckpoints",
            "flink_jobmanager_job_numberOfFailedCheckpoints");

    /** Flink's own job metrics shown besides the agreed ones (Flink metrics documentation, "Availability"). */
    static final Set<String> FLINK_BUILT_IN = Set.of("flink_jobmanager_job_numRestarts");

    /** Client and JVM metrics of Micrometer's Kafka and JVM binders (quarkus-micrometer). */
    static final List<String> BINDER_PREFIXES = List.of("kafka_stream_", "kafka_consumer_", "kafka_producer_", "jvm_", "process_");

    private static final Pattern METRIC = Pattern.compile("\\b((?:sessionizer|flink|kafka|jvm|process)_[A-Za-z0-9_]+)\\b");

    static Set<String> usedMetrics() {
        Set<String> used = new TreeSet<>();
        for (String e : Dashboard.expressions()) {
            Matcher m = METRIC.matcher(e);
            while (m.find()) used.add(m.group(1));
        }
        return used;
    }

    @Test
    void everyPanelQueriesPrometheusThroughTheDatasourceVariable() {
        JsonNode d = Dashboard.load();
        assertThat(d.path("uid").asText()).isEqualTo("clickstream-pipeline");
        assertThat(d.path("panels").size()).isGreaterThan(10);
        for (JsonNode p : d.path("panels")) {
            if (p.path("type").asText().equals("row")) continue;
            assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(p.path("targets").size()).as(p.path("title").asText()).isPositive();
        }
        assertThat(Dashboard.expressions()).allSatisfy(e -> assertThat(e).contains("namespace=\"$namespace\""));
    }

    @Test
    void showsEveryAgreedMetricAndNoUnknownOne() {
        Set<String> used = usedMetrics();
        assertThat(used).containsAll(SESSIONIZER).containsAll(FLINK);
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(SESSIONIZER);
        unknown.removeAll(FLINK);
        unknown.removeAll(FLINK_BUILT_IN);
        unknown.removeAll(sessionizerMeters());
        unknown.removeAll(flinkOperatorMetrics());
        unknown.removeIf(m -> BINDER_PREFIXES.stream().anyMatch(m::startsWith));
        assertThat(unknown).isEmpty();
        assertThat(used).anyMatch(m -> m.startsWith("kafka_stream_")).anyMatch(m -> m.startsWith("jvm_"));
    }

    private static final Pattern METER = Pattern.compile(
            "(Counter|Gauge|DistributionSummary|Timer|FunctionCounter)\\.builder\\(\\s*\"([a-z0-9_.]+)\"(.*?)\\.register\\(", Pattern.DOTALL);
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\\s*\"([a-z]+)\"");

    /** Prometheus names of the Micrometer meters registered in the sessionizer's sources. */
    static Set<String> sessionizerMeters() {
        Set<String> names = new HashSet<>();
        for (Path f : SourceConfig.javaFiles(SourceConfig.repo(SourceConfig.SESSIONIZER_SOURCES))) {
            Matcher m = METER.matcher(SourceConfig.read(f));
            while (m.find()) {
                String base = m.group(2).replace('.', '_');
                Matcher u = BASE_UNIT.matcher(m.group(3));
                String unit = u.find() ? "_" + u.group(1) : "";
                switch (m.group(1)) {
                    case "Counter", "FunctionCounter" -> names.add(base + unit + "_total");
                    case "Gauge" -> names.add(base + unit);
                    case "DistributionSummary" -> { for (String s : List.of("_count", "_sum", "_max")) names.add(base + unit + s); }
                    default -> { for (String s : List.of("_count", "_sum", "_max")) names.add(base + "_seconds" + s); }
                }
            }
        }
        return names;
    }

    @Test
    void theSessionizersMetricsAreTheOnesItsCodeRegisters() {
        Set<String> meters = sessionizerMeters();
        org.junit.jupiter.api.Assumptions.assumeFalse(meters.isEmpty(), "no Micrometer meters in the sessionizer yet");
        Set<String> shown = new TreeSet<>(usedMetrics());
        shown.removeIf(m -> !m.startsWith("sessionizer_"));
        assertThat(meters).containsAll(shown);
    }

    private static final Pattern FLINK_METRIC = Pattern.compile("\\.(?:counter|gauge|meter|histogram)\\(\\s*(\"\\w+\"|(?:[A-Z]\\w*\\.)?[A-Z][A-Z0-9_]*)\\b");
    private static final Pattern STRING_CONSTANT = Pattern.compile("\\b([A-Z][A-Z0-9_]*)\\s*=\\s*\"(\\w+)\"");

    /**
     * Prometheus names of the operator metrics registered in the Flink job's sources (counter, gauge, ...
     * with a literal name or a String constant of the job).
     */
    static Set<String> flinkOperatorMetrics() {
        java.util.Map<String, String> constants = new java.util.HashMap<>();
        List<Path> files = SourceConfig.javaFiles(SourceConfig.repo(SourceConfig.FLINK_SOURCES));
        for (Path f : files) {
            Matcher c = STRING_CONSTANT.matcher(SourceConfig.read(f));
            while (c.find()) constants.put(c.group(1), c.group(2));
        }
        Set<String> registered = new TreeSet<>();
        for (Path f : files) {
            Matcher m = FLINK_METRIC.matcher(SourceConfig.read(f));
            while (m.find()) {
                String arg = m.group(1);
                // A constant, possibly qualified by its class (PgTwoPhaseCommitSink.LOST): looked up by its own name.
                String name = arg.startsWith("\"") ? arg.substring(1, arg.length() - 1)
                        : constants.get(arg.substring(arg.lastIndexOf('.') + 1));
                if (name != null) registered.add("flink_taskmanager_job_task_operator_" + name);
            }
        }
        return registered;
    }

    @Test
    void theFlinkJobsOperatorMetricsAreTheOnesItsCodeRegisters() {
        Set<String> registered = flinkOperatorMetrics();
        org.junit.jupiter.api.Assumptions.assumeFalse(registered.isEmpty(), "no Flink metrics in the job yet");
        Set<String> shown = new TreeSet<>(usedMetrics());
        shown.removeIf(m -> !m.startsWith("flink_taskmanager_job_task_operator_"));
        assertThat(registered).containsAll(shown);
    }
}
