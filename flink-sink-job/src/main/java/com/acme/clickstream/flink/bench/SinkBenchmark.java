package com.acme.clickstream.flink.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * Rows per second through the job's exactly-once XA sink against a plain batched JDBC sink (at-least-once,
 * {@code reWriteBatchedInserts}), on the same data and machine, in one run: both read the whole sessions topic
 * (bounded, from the earliest offset) through the job's own pipeline on a local mini-cluster, and write it into a
 * scratch copy of {@code sessions} each ({@code bench_flink_xa}, {@code bench_flink_jdbc}, dropped afterwards; the
 * table {@code sessions} is not touched). A rate is rows divided by the sink's active window, from its first
 * record to its last durable row (the XA sink's last commit), so mini-cluster start-up is not counted. The two
 * sinks alternate for {@code rounds} rounds after a warm-up run of each; the median round of each counts (on a
 * small shared machine single runs vary by a third).
 *
 * <p>For the load-test's {@code bench} command: {@link #run(SinkJobConfig, int)} with a config pointing at the
 * topic and database to use (its checkpoint interval, parallelism and batch size apply to both sinks).
 */
public final class SinkBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(SinkBenchmark.class);
    static final String XA_TABLE = "bench_flink_xa";
    static final String JDBC_TABLE = "bench_flink_jdbc";

    private SinkBenchmark() {}

    /** Both rates (the medians), in rows per second, over {@code rows} rows, and every counted round's. */
    public record Result(long rows, double xaRowsPerSecond, double jdbcRowsPerSecond, List<Double> xaRounds,
            List<Double> jdbcRounds) {
        public double ratio() {
            return xaRowsPerSecond / jdbcRowsPerSecond;
        }

        /** {@code xa_rows_per_s=N jdbc_rows_per_s=N ratio=X} */
        public String line() {
            return String.format(Locale.ROOT, "xa_rows_per_s=%.0f jdbc_rows_per_s=%.0f ratio=%.2f", xaRowsPerSecond,
                    jdbcRowsPerSecond, ratio());
        }
    }

    /** The benchmark against these servers: the topic must hold the sessions to write. */
    public static Result run(String bootstrapServers, String topic, String jdbcUrl, String jdbcUser,
            String jdbcPassword, int parallelism, int rounds) throws Exception {
        return run(SinkJobConfig.builder().bootstrapServers(bootstrapServers).topic(topic).jdbcUrl(jdbcUrl)
                .jdbcUser(jdbcUser).jdbcPassword(jdbcPassword).parallelism(parallelism)
                .checkpointInterval(Duration.ofSeconds(1)).build(), rounds);
    }

    public static Result run(SinkJobConfig config, int rounds) throws Exception {
        Path work = Files.createTempDirectory("sink-benchmark");
        SinkJobConfig benchConfig = config.toBuilder().checkpointDir(work.resolve("checkpoints").toString())
                .localTmpDir(work.resolve("tmp").toString()).restPort(0)
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
            List<Double> xa = new ArrayList<>();
            List<Double> jdbc = new ArrayList<>();
            long rows = 0;
            for (int round = 0; round <= rounds; round++) {
                boolean xaFirst = round % 2 == 0;
                for (boolean isXa : xaFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    Measured m = runOnce(benchConfig, pg, isXa);
                    if (rows != 0 && m.rows() != rows) {
                        throw new IllegalStateException((isXa ? "xa" : "jdbc") + " run wrote " + m.rows()
                                + " rows, the one before " + rows + ": the topic changed during the benchmark?");
                    }
                    rows = m.rows();
                    LOG.info("round {} {}: {} rows in {} ms = {} rows/s", round, isXa ? "xa" : "jdbc", m.rows(),
                            m.nanos() / 1_000_000, Math.round(m.rowsPerSecond()));
                    if (round > 0 || rounds == 0) {
                        (isXa ? xa : jdbc).add(m.rowsPerSecond());
                    }
                }
            }
            return new Result(rows, median(xa), median(jdbc), List.copyOf(xa), List.copyOf(jdbc));
        } finally {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("drop table if exists " + XA_TABLE);
                st.execute("drop table if exists " + JDBC_TABLE);
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private record Measured(long rows, long nanos) {
        double rowsPerSecond() {
            return rows * 1e9 / nanos;
        }
    }

    private static Measured runOnce(SinkJobConfig config, PgConnectionSettings pg, boolean xa) throws Exception {
        String table = xa ? XA_TABLE : JDBC_TABLE;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("truncate " + table);
        }
        Sink<SessionRow> sink = xa ? SessionSinks.exactlyOnce(config, table) : SessionSinks.atLeastOnce(config, table);
        KafkaSource<RawSessionRecord> source = SessionSources.builder(config)
                .setGroupId("sink-benchmark-" + UUID.randomUUID())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                JobEnvironments.localConfiguration(config, Optional.empty()));
        new SessionSinkJob(config).build(env, source, new MeasuredSink(sink), new DiscardingSink<>());
        MeasuredSink.reset();
        env.execute("sink benchmark " + (xa ? "xa" : "jdbc"));
        long rows;
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            rows = rs.getLong(1);
        }
        return new Measured(rows, MeasuredSink.windowNanos());
    }
}
