package com.acme.clickstream.flink.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter of the test MiniCluster that keeps every registered metric with the name Flink's Prometheus
 * reporter gives it ({@code flink_<logical scope>_<name>}, characters outside [a-zA-Z0-9:_] as '_'), so that the
 * tests read the job's metrics by the names the README and the dashboard use.
 */
public final class CapturedMetrics implements MetricReporter {
    private static final List<Entry> METRICS = new CopyOnWriteArrayList<>();
    /** Final values of metrics removed with their task attempt: a restart must not erase what an attempt counted. */
    private static final List<Retired> RETIRED = new CopyOnWriteArrayList<>();

    private record Retired(String prometheusName, String jobId, double value) {}

    /** A metric as the Prometheus reporter would expose it. */
    public record Entry(String prometheusName, String name, Map<String, String> variables, Metric metric) {
        public String jobId() {
            return variables.get("<job_id>");
        }

        public double value() {
            if (metric instanceof Counter c) {
                return c.getCount();
            }
            if (metric instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                return n.doubleValue();
            }
            return Double.NaN;
        }
    }

    public static List<Entry> ofJob(String jobId) {
        List<Entry> result = new ArrayList<>();
        for (Entry e : METRICS) {
            if (jobId.equals(e.jobId())) {
                result.add(e);
            }
        }
        return result;
    }

    /** The sum over subtasks of a job's metric with this Prometheus name (NaN when none is registered). */
    public static double sum(String jobId, String prometheusName) {
        double sum = 0;
        boolean found = false;
        for (Entry e : ofJob(jobId)) {
            if (e.prometheusName().equals(prometheusName)) {
                sum += e.value();
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /**
     * The sum over subtasks and over every attempt of the job so far: also what attempts that failed or were cancelled
     * counted before a restart removed their metrics.
     */
    public static double sumOverRun(String jobId, String prometheusName) {
        double sum = 0;
        for (Retired r : RETIRED) {
            if (jobId.equals(r.jobId()) && r.prometheusName().equals(prometheusName)) {
                sum += r.value();
            }
        }
        double live = sum(jobId, prometheusName);
        return Double.isNaN(live) ? sum : sum + live;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String scope = LogicalScopeProvider.castFrom(group).getLogicalScope(CapturedMetrics::filter, '_');
        METRICS.add(new Entry("flink_" + scope + "_" + filter(metricName), metricName, Map.copyOf(group.getAllVariables()),
                metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        for (Entry e : METRICS) {
            if (e.metric() == metric) {
                if (e.jobId() != null) {
                    RETIRED.add(new Retired(e.prometheusName(), e.jobId(), e.value()));
                }
                METRICS.remove(e);
            }
        }
    }

    private static String filter(String input) {
        return input.replaceAll("[^a-zA-Z0-9:_]", "_");
    }

    /** Registered by class name in the MiniCluster configuration (metrics.reporter.capture.factory.class). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturedMetrics();
        }
    }
}
