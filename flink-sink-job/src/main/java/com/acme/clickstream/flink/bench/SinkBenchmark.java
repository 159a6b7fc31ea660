package com.acme.clickstream.flink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.acme.clickstream.flink.SessionSinkJob;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.local.JobEnvironments;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.PgConnectionSettings;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rows per second through the job's exactly-once sink (PostgreSQL two-phase commit) against a plain batched JDBC
 * sink (flink-connector-jdbc at-least-once, {@code reWriteBatchedInserts}, a commit per batch), on the same data and
 * machine, in one run: both read the whole sessions topic (bounded, from the earliest offset) through the job's own
 * pipeline on a local mini-cluster, and write it into a scratch copy of {@code sessions} each
 * ({@code bench_flink_xa}, {@code bench_flink_jdbc}, dropped afterwards; the table {@code sessions} is not touched).
 *
 * <p>A rate is the steady state: rows made durable between the first and the last durable point before the end of
 * the input (commits for the exactly-once sink, checkpoint barriers for the plain sink, which flushes there), so
 * neither start-up nor the final commit, which waits for one more checkpoint, is counted (see {@link MeasuredSink}).
 * Each sink runs at each of its given batch sizes and counts with its best median. The sinks alternate for
 * {@code rounds} rounds after a warm-up run of each; the median round of each counts (on a small shared machine
 * single runs vary by a third).
 *
 * <p>For the load-test's {@code bench} command: {@link #run(SinkJobConfig, int)} with a config pointing at the
 * topic and database to use (its checkpoint interval and parallelism apply to both sinks, its batch size to the
 * exactly-once sink; the plain sink runs at each of {@link #PLAIN_BATCH_SIZES}).
 */
public final class SinkBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(SinkBenchmark.class);
    static final String XA_TABLE = "bench_flink_xa";
    static final String JDBC_TABLE = "bench_flink_jdbc";
    /** The plain sink's batch sizes when none are given: its best of these counts (1000 measured best here). */
    public static final List<Integer> PLAIN_BATCH_SIZES = List.of(1000, 5000);

    private SinkBenchmark() {}

    /**
     * Both rates (the medians; for the plain sink the best batch size's), in rows per second, over {@code rows}
     * rows, and every counted round's. The names keep "xa" for the exactly-once sink: the load-test parses them.
     */
    public record Result(long rows, double xaRowsPerSecond, double jdbcRowsPerSecond, List<Double> xaRounds,
            List<Double> jdbcRounds, int jdbcBatchSize, Map<Integer, Double> jdbcMedianByBatchSize, int xaBatchSize,
            Map<Integer, Double> xaMedianByBatchSize) {
        public double ratio() {
            return xaRowsPerSecond / jdbcRowsPerSecond;
        }

        /** {@code xa_rows_per_s=N jdbc_rows_per_s=N ratio=X} */
        public String line() {
            return String.format(Locale.ROOT, "xa_rows_per_s=%.0f jdbc_rows_per_s=%.0f ratio=%.2f", xaRowsPerSecond,
                    jdbcRowsPerSecond, ratio());
        }
    }

    /**
     * The benchmark against these servers: the topic must hold the sessions to write.
     *
     * @param jdbcPasswordVariable the environment variable that holds the password, or null for none
     */
    public static Result run(String bootstrapServers, String topic, String jdbcUrl, String jdbcUser,
            String jdbcPasswordVariable, int parallelism, int rounds) throws Exception {
        return run(SinkJobConfig.builder().bootstrapServers(bootstrapServers).topic(topic).jdbcUrl(jdbcUrl)
                .jdbcUser(jdbcUser).jdbcPasswordVariable(jdbcPasswordVariable).parallelism(parallelism)
                .checkpointInterval(Duration.ofSeconds(1)).build(), rounds);
    }

    /** The plain sink at the batch sizes of {@link #PLAIN_BATCH_SIZES}, the exactly-once sink at the config's. */
    public static Result run(SinkJobConfig config, int rounds) throws Exception {
        return run(config, rounds, PLAIN_BATCH_SIZES);
    }

    /** @param plainBatchSizes the batch sizes to run the plain sink at; the exactly-once sink uses the config's */
    public static Result run(SinkJobConfig config, int rounds, List<Integer> plainBatchSizes) throws Exception {
        return run(config, rounds, List.of(config.jdbcBatchSize()), plainBatchSizes);
    }

    /**
     * Each sink at each of its batch sizes, its best median counting (both are given the batch size that suits
     * them: COPY per batch and a commit per checkpoint, against a commit per batch).
     */
    public static Result run(SinkJobConfig config, int rounds, List<Integer> xaBatchSizes, List<Integer> plainBatchSizes)
            throws Exception {
        Path work = Files.createTempDirectory("sink-benchmark");
        SinkJobConfig benchConfig = config.toBuilder().checkpointDir(work.resolve("checkpoints").toString())
                .localTmpDir(work.resolve("tmp").toString()).restPort(0)
                .pipelineName("sink-benchmark")
                // every session once: nothing to remember, the same work for both sinks
                .dedupRetention(Duration.ZERO).build();
        PgConnectionSettings pg = PgConnectionSettings.of(benchConfig, "flink-sink-benchmark");
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            for (String table : List.of(XA_TABLE, JDBC_TABLE)) {
                st.execute("drop table if exists " + table);
                st.execute("create table " + table + " (like sessions including all)");
            }
        }
        try {
            Map<Integer, List<Double>> xa = new LinkedHashMap<>();
            xaBatchSizes.forEach(b -> xa.put(b, new ArrayList<>()));
            Map<Integer, List<Double>> jdbc = new LinkedHashMap<>();
            plainBatchSizes.forEach(b -> jdbc.put(b, new ArrayList<>()));
            long rows = 0;
            for (int round = 0; round <= rounds; round++) {
                List<Integer> order = new ArrayList<>();
                xaBatchSizes.forEach(b -> order.add(-b)); // negative: the exactly-once sink at that batch size
                order.addAll(plainBatchSizes);
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (int variant : order) {
                    boolean isXa = variant < 0;
                    int batch = Math.abs(variant);
                    SinkJobConfig runConfig = benchConfig.toBuilder().jdbcBatchSize(batch).build();
                    Measured m = runOnce(runConfig, pg, isXa);
                    if (rows != 0 && m.rows() != rows) {
                        throw new IllegalStateException((isXa ? "xa" : "jdbc") + " run wrote " + m.rows()
                                + " rows, the one before " + rows + ": the topic changed during the benchmark?");
                    }
                    rows = m.rows();
                    String name = (isXa ? "exactly-once" : "plain") + " batch " + batch;
                    LOG.info("round {} {}: {} rows, steady {} rows/s ({} durable points), whole window {} ms = {} rows/s",
                            round, name, m.rows(), Math.round(m.steadyRowsPerSecond()), m.points(),
                            m.nanos() / 1_000_000, Math.round(m.windowRowsPerSecond()));
                    System.out.printf(Locale.ROOT, "round %d %s: steady_rows_per_s=%.0f window_rows_per_s=%.0f%n",
                            round, name, m.rate(), m.windowRowsPerSecond());
                    if (round > 0 || rounds == 0) {
                        (isXa ? xa : jdbc).get(batch).add(m.rate());
                    }
                }
            }
            Map<Integer, Double> medians = new LinkedHashMap<>();
            jdbc.forEach((b, r) -> medians.put(b, median(r)));
            int best = medians.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            Map<Integer, Double> xaMedians = new LinkedHashMap<>();
            xa.forEach((b, r) -> xaMedians.put(b, median(r)));
            int xaBest = xaMedians.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return new Result(rows, xaMedians.get(xaBest), medians.get(best), List.copyOf(xa.get(xaBest)),
                    List.copyOf(jdbc.get(best)), best, medians, xaBest, xaMedians);
        } finally {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("drop table if exists " + XA_TABLE);
                st.execute("drop table if exists " + JDBC_TABLE);
                st.execute("delete from flink_sink_transactions where pipeline = 'sink-benchmark'");
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private record Measured(long rows, long nanos, double steadyRowsPerSecond, int points) {
        double windowRowsPerSecond() {
            return rows * 1e9 / nanos;
        }

        /** The steady-state rate; the whole window's when the run was too short for two mid-run durable points. */
        double rate() {
            return Double.isNaN(steadyRowsPerSecond) ? windowRowsPerSecond() : steadyRowsPerSecond;
        }
    }

    private static Measured runOnce(SinkJobConfig config, PgConnectionSettings pg, boolean xa) throws Exception {
        String table = xa ? XA_TABLE : JDBC_TABLE;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("truncate " + table);
            try {
                st.execute("checkpoint"); // each run starts without the previous run's dirty pages to write
            } catch (java.sql.SQLException notSuperuser) {
                LOG.debug("no checkpoint before the run: {}", notSuperuser.toString());
            }
        }
        Sink<SessionRow> sink = xa ? SessionSinks.exactlyOnce(config, table) : SessionSinks.atLeastOnce(config, table);
        KafkaSource<RawSessionRecord> source = SessionSources.builder(config)
                .setGroupId("sink-benchmark-" + UUID.randomUUID())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                JobEnvironments.localConfiguration(config, Optional.empty()));
        new SessionSinkJob(config).build(env, source, new MeasuredSink<>(sink), new DiscardingSink<>());
        MeasuredSink.reset();
        env.execute("sink benchmark " + (xa ? "exactly-once" : "plain"));
        long rows;
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            rows = rs.getLong(1);
        }
        return new Measured(rows, MeasuredSink.windowNanos(), MeasuredSink.steadyRowsPerSecond(),
                MeasuredSink.DURABLE.size());
    }
}
