package com.acme.clickstream.loadtest.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.acme.clickstream.loadtest.stack.Artifacts;

/**
 * The Flink job's own sink benchmark ({@code com.acme.clickstream.flink.bench.SinkBenchmark}: the job's
 * exactly-once (two-phase-commit) sink against its plain batched JDBC sink, through the job's pipeline on a local
 * mini-cluster, reading the sessions topic). Run in a child JVM on the Flink job's class path, so that Flink never joins this tool's.
 */
public final class FlinkSinkBenchmark {
    private static final Pattern LINE = Pattern.compile("xa_rows_per_s=(\\d+) jdbc_rows_per_s=(\\d+)");
    private static final List<String> JAVA17_OPENS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED");

    private FlinkSinkBenchmark() {}

    public record Result(long xaRowsPerSecond, long jdbcRowsPerSecond, String line) {}

    /** Runs the benchmark over the rows in {@code sessionsTopic}; the log goes to {@code workDir}/flink-sink-benchmark.log. */
    public static Result run(Artifacts artifacts, String bootstrapServers, String sessionsTopic, String jdbcUrl,
                             String jdbcUser, Path workDir, int rounds, Duration timeout, Consumer<String> out) throws Exception {
        Path tmp = Files.createDirectories(workDir.resolve("flink-bench-tmp"));
        Path log = workDir.resolve("flink-sink-benchmark.log");
        String self = Path.of(FlinkSinkBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(JAVA17_OPENS);
        cmd.add("-cp");
        cmd.add(artifacts.flinkClasspath() + File.pathSeparator + self);
        cmd.add(Launcher.class.getName());
        cmd.addAll(List.of(bootstrapServers, sessionsTopic, jdbcUrl, jdbcUser, String.valueOf(rounds)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Flink sink benchmark did not finish within " + timeout + " (log: " + log + ")");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("SINK_BENCHMARK ")) {
                    last = line.substring("SINK_BENCHMARK ".length());
                }
            }
        }
        Matcher m = last == null ? null : LINE.matcher(last);
        if (p.exitValue() != 0 || m == null || !m.find()) {
            throw new IllegalStateException("Flink sink benchmark failed (exit " + p.exitValue() + ", log: " + log + ")");
        }
        out.accept("bench: Flink sinks " + last);
        return new Result(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), last);
    }

    /**
     * Runs in the child JVM, where the Flink job is on the class path (so no compile-time dependency here):
     * args = bootstrap servers, sessions topic, JDBC URL, JDBC user, rounds.
     */
    public static final class Launcher {
        public static void main(String[] args) throws Exception {
            Class<?> bench = Class.forName("com.acme.clickstream.flink.bench.SinkBenchmark");
            Object result = bench.getMethod("run", String.class, String.class, String.class, String.class, String.class,
                    int.class, int.class).invoke(null, args[0], args[1], args[2], args[3], null, 1, Integer.parseInt(args[4]));
            System.out.println("SINK_BENCHMARK " + result.getClass().getMethod("line").invoke(result));
            System.exit(0);
        }
    }
}
