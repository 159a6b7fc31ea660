package com.acme.clickstream.loadtest.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.model.Topics;
import com.acme.clickstream.loadtest.stack.LocalStack;
import com.acme.clickstream.loadtest.stack.StackConfig;
import com.acme.clickstream.loadtest.verify.Expectation;
import com.acme.clickstream.loadtest.verify.Verifier;
import com.acme.clickstream.loadtest.verify.VerifyConfig;
import com.acme.clickstream.loadtest.verify.VerifyReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

/**
 * A sustained-throughput run on a fresh local stack (exactly-once everywhere), then, on the same
 * events, the two baselines: a plain Kafka Streams session count and plain JDBC against XA writes of
 * the same session rows. See load-test/README.md, "bench".
 */
public final class Bench {
    /** The sessionizer's Kafka Streams application.id (quarkus.kafka-streams.application-id): its consumer group. */
    static final String SESSIONIZER_GROUP = "clickstream-sessionizer";

    private Bench() {}

    public static BenchResult run(BenchConfig c, Consumer<String> out) throws Exception {
        SessionRules rules = c.rules();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SESSIONIZER_INACTIVITY_GAP", rules.inactivityGap().toString());
        env.put("SESSIONIZER_MAX_DURATION", rules.maxDuration().toString());
        env.put("SESSIONIZER_GRACE", rules.grace().toString());
        env.put("SESSIONIZER_DEDUP_WINDOW", rules.dedupWindow().toString());
        env.put("SESSIONIZER_MAX_FUTURE_SKEW", rules.maxFutureSkew().toString());
        env.put("SESSIONIZER_IDLE_ADVANCE_AFTER", c.idleAdvanceAfter().toString());
        Topics topics = Topics.defaults();
        StackConfig sc = new StackConfig(c.reportDir().resolve("stack"), 0, 0, 0, Optional.empty(), Optional.empty(),
                c.artifacts(), topics, c.eventPartitions(), env,
                List.of("--checkpoint-interval", c.checkpointInterval().toString()), Duration.ofMinutes(3));

        out.accept("bench: starting a fresh local stack in " + sc.dataDir());
        try (LocalStack stack = LocalStack.start(sc)) {
            out.accept(stack.readyLine());
            Path data = c.reportDir().resolve("data");
            long count = Math.round(c.rate() * c.duration().toMillis() / 1000.0);
            // Real time (scale 1): sessions close during the run, and the tail after it is only gap + grace.
            long thinkMs = Math.max(1000, rules.inactivityGap().toMillis() / 4);
            GeneratorConfig gc = new GeneratorConfig(stack.bootstrapServers(), topics, data, c.rate(), count, null,
                    c.seed(), GeneratorConfig.DEFAULT_START, 1.0, c.users(), 300, 1.1, Ratios.defaults(), rules,
                    c.eventPartitions(), Duration.ofHours(6), Duration.ofMillis(thinkMs), Duration.ofSeconds(5));

            Sampler sampler = new Sampler(stack.bootstrapServers(), stack.jdbcUrl(), topics.events(), c.eventPartitions(),
                    SESSIONIZER_GROUP);
            VerifyReport verify;
            long loadStart;
            long loadEnd;
            SentLog sent;
            try {
                sampler.start();
                loadStart = sampler.elapsedMs();
                sent = Generator.run(gc, out);
                loadEnd = sampler.elapsedMs();
                out.accept("bench: load done; waiting up to " + c.settleTimeout() + " for every session row");
                VerifyConfig vc = VerifyConfig.of(data, stack.jdbcUrl(), stack.bootstrapServers()).withTopics(topics)
                        .withRules(rules).withPartitions(c.eventPartitions()).withAwait(c.settleTimeout());
                verify = Verifier.verify(vc, out);
                out.accept(verify.summary());
            } finally {
                sampler.close();
            }
            List<Sampler.Sample> samples = sampler.samples();
            // The second half of the load, as for events_per_s: a run's first sessions all become final within a
            // second of each other, on cold JVMs, and are not the steady state (their latency is reported apart).
            Histogram latency = sampler.latencies().since(sampler.epochMs(steadyFrom(loadStart, loadEnd)));
            Histogram allLatency = sampler.latencies().since(Long.MIN_VALUE);
            List<RowLatencies.Interval> latencyByTime = sampler.latencies().byInterval(sampler.epochMs(0), 10_000);
            out.accept(String.format("bench: session final -> row, second half of the load: p50=%d p99=%d max=%d ms"
                            + " (%d rows); whole run: p99=%d max=%d ms (%d rows)", latency.getValueAtPercentile(50),
                    latency.getValueAtPercentile(99), latency.getMaxValue(), latency.getTotalCount(),
                    allLatency.getValueAtPercentile(99), allLatency.getMaxValue(), allLatency.getTotalCount()));
            long checkpointAvg = checkpointDurationAvg(stack.flinkRestPort());

            out.accept("bench: baseline Kafka Streams over the same " + sent.events() + " events");
            KafkaStreamsBaseline.Result ks = KafkaStreamsBaseline.run(stack.bootstrapServers(), topics.events(),
                    rules.inactivityGap(), rules.grace(), c.reportDir().resolve("baseline-state"), Duration.ofMinutes(10));
            Expectation expected = Verifier.expect(VerifyConfig.of(data, stack.jdbcUrl(), null).withRules(rules)
                    .withPartitions(c.eventPartitions()));
            out.accept("bench: sink baselines with the " + expected.sessions().size() + " expected session rows");
            SinkBaseline.Result sink = SinkBaseline.run(stack.jdbcUrl(), expected.sessions(), c.sinkBatch());
            out.accept("bench: the Flink job's sink benchmark over " + topics.sessions());
            FlinkSinkBenchmark.Result flinkSinks = null;
            String flinkNote;
            try {
                flinkSinks = FlinkSinkBenchmark.run(c.artifacts(), stack.bootstrapServers(), topics.sessions(),
                        stack.jdbcUrl(), "postgres", c.reportDir(), 2, Duration.ofMinutes(10), out);
                flinkNote = "Flink job's SinkBenchmark (XA sink vs plain batched JDBC sink through the job, median of 2 rounds"
                        + " after a warm-up): " + flinkSinks.line();
            } catch (Exception e) {
                flinkNote = "Flink job's SinkBenchmark unavailable (" + e.getMessage() + "): xa/jdbc figures are the direct JDBC ones";
                out.accept("bench: " + flinkNote);
            }

            BenchResult r = new BenchResult(sent.events(), sent.eventsPerSecond(),
                    steadySlope(samples, loadStart, loadEnd, true), steadySlope(samples, loadStart, loadEnd, false),
                    latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), latency.getMaxValue(),
                    allLatency.getValueAtPercentile(99), allLatency.getMaxValue(), c.checkpointInterval().toMillis(), checkpointAvg, ks.eventsPerSecond(),
                    flinkSinks != null ? flinkSinks.xaRowsPerSecond() : sink.xaRowsPerSecond(),
                    flinkSinks != null ? flinkSinks.jdbcRowsPerSecond() : sink.jdbcRowsPerSecond(),
                    sink.xaRowsPerSecond(), sink.jdbcRowsPerSecond(), c.sinkBatch(), verify.ok(), verify.summary(), c.reportDir().resolve("report.html"));
            String notes = String.format("""
                    Load: %d events at %.0f/s offered (%.0f/s achieved, at worst %d ms behind schedule), %d users, seed %d,
                    real-time event time, default odd-record shares.
                    Session rules: gap %s, grace %s, max duration %s, dedup window %s, idle-advance-after %s.
                    Pipeline events/s = slope of sum(event_count) in PostgreSQL over the second half of the load; it equals
                    the offered rate when the pipeline keeps up (offer more to find its capacity).
                    Latency = %s minus its closed_at
                    (the sessionizer's wall clock when the session became final): sessionizer commit, Kafka, the Flink
                    checkpoint that makes the XA transaction visible. p50/p99/max: the %d sessions final in the second
                    half of the load or after it (as events/s, the first half is warm-up); the whole run's %d sessions:
                    p99 %d ms, max %d ms. latency-by-10s.csv has them by when they became final.
                    Kafka Streams baseline: same topic from offset 0 (a backlog), 1 stream thread, record timestamps,
                    no validation/dedup/enrichment; rate until its committed offsets reach the end.
                    Sink figures of the RESULT line: %s.
                    Direct sink comparison: the expected session rows written over JDBC in batches of %d into scratch
                    copies of the table, plain (local commit per batch) vs XA (start/end/prepare/commit per batch),
                    two alternating rounds, the second counts.
                    Machine: %d cores, load average at the end %s; everything (broker, PostgreSQL, sessionizer, Flink,
                    generator) on it, next to whatever else ran there.
                    """, sent.events(), c.rate(), sent.eventsPerSecond(), sent.maxBehind().toMillis(), c.users(), c.seed(), rules.inactivityGap(),
                    rules.grace(), rules.maxDuration(), rules.dedupWindow(), c.idleAdvanceAfter(), sampler.latencySource(),
                    latency.getTotalCount(), allLatency.getTotalCount(), allLatency.getValueAtPercentile(99),
                    allLatency.getMaxValue(),
                    flinkNote, c.sinkBatch(), Runtime.getRuntime().availableProcessors(), loadAverage());
            Report.write(c.reportDir(), r, samples, latency, allLatency, latencyByTime, notes + "\nverify:\n" + verify.summary());
            java.nio.file.Files.write(c.reportDir().resolve("verify.txt"),
                    java.util.stream.Stream.concat(java.util.stream.Stream.of(verify.summary().lines().findFirst().orElse("")),
                            verify.differences().stream()).toList());
            out.accept("bench: report " + r.report());
            return r;
        }
    }

    /**
     * Events per second over the second half of the load: sum(event_count) in rows, or the sessionizer's
     * offsets. Rows only follow once the first sessions have closed (a visit plus gap + grace), so the
     * first half is warm-up; the tail after the load is only the last sessions closing.
     */
    static double steadySlope(List<Sampler.Sample> samples, long loadStart, long loadEnd, boolean rows) {
        long from = steadyFrom(loadStart, loadEnd);
        long to = loadEnd;
        Sampler.Sample a = null;
        Sampler.Sample b = null;
        for (Sampler.Sample s : samples) {
            if (a == null && s.atMs() >= from) {
                a = s;
            }
            if (s.atMs() <= to) {
                b = s;
            }
        }
        if (a == null || b == null || b.atMs() <= a.atMs()) {
            return 0;
        }
        long delta = rows ? b.rowEvents() - a.rowEvents() : b.processed() - a.processed();
        return delta * 1000.0 / (b.atMs() - a.atMs());
    }

    /** Where the steady state of the figures starts: the middle of the load (the first half is warm-up). */
    static long steadyFrom(long loadStart, long loadEnd) {
        return loadStart + (loadEnd - loadStart) / 2;
    }

    private static String loadAverage() {
        // The JVM's view works on Linux and macOS alike (no /proc on macOS); negative = not available.
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f (1 min)", load);
    }

    /** Average end-to-end checkpoint duration of the running Flink job from its REST API; -1 if unavailable. */
    static long checkpointDurationAvg(int restPort) {
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            ObjectMapper json = new ObjectMapper();
            JsonNode jobs = json.readTree(get(http, restPort, "/jobs/overview")).path("jobs");
            for (JsonNode job : jobs) {
                if ("RUNNING".equals(job.path("state").asText())) {
                    JsonNode cp = json.readTree(get(http, restPort, "/jobs/" + job.path("jid").asText() + "/checkpoints"));
                    return cp.path("summary").path("end_to_end_duration").path("avg").asLong(-1);
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static String get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
