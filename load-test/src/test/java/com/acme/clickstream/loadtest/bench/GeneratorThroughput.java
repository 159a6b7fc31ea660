package com.acme.clickstream.loadtest.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How fast {@code generate} can offer records, measured alone (no sessionizer, no sink job) against a
 * real KRaft broker from devstack. The broker runs in a child JVM so that the CPU time counted here is
 * the generator's own (planning, serializing, the Kafka producer, the record files).
 *
 * <pre>
 * java -cp ... com.acme.clickstream.loadtest.bench.GeneratorThroughput [--records N] [--rate R] [--runs K]
 *      [--partitions P] [--bootstrap host:port]
 * </pre>
 * {@code --rate 0} means "as fast as possible": the records are then planned for 1,000,000/s (the rate
 * also fixes event time, so it cannot be infinite) and the schedule is always behind; the figure of
 * interest is offered_per_s. With a real rate (e.g. 22000) the figure of interest is behind_s.
 * Every run prints one line:
 * {@code GENERATE records=N rate=R offered_per_s=N behind_s=N cpu_us_per_record=N elapsed_s=N load=L}.
 */
public final class GeneratorThroughput {
    private static final double AS_FAST_AS_POSSIBLE = 1_000_000;

    private GeneratorThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("broker")) {
            runBroker(Path.of(args[1]));
            return;
        }
        long records = 1_000_000;
        double rate = 0;
        int runs = 1;
        int partitions = 4;
        String bootstrap = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[i + 1]);
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--partitions" -> partitions = Integer.parseInt(args[i + 1]);
                case "--bootstrap" -> bootstrap = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path scratch = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "gen-throughput");
        Process broker = null;
        try {
            if (bootstrap == null) {
                broker = startBrokerProcess(scratch.resolve("kafka"));
                bootstrap = readBootstrap(broker);
            }
            for (int run = 1; run <= runs; run++) {
                System.out.println(measure(bootstrap, scratch.resolve("run-" + run), "gt" + run + ".", records, rate,
                        partitions));
            }
        } finally {
            if (broker != null) {
                stopBrokerProcess(broker);
            }
            deleteTree(scratch);
        }
    }

    /** One generator run of {@code records} events into fresh topics; the result line. */
    static String measure(String bootstrap, Path out, String topicPrefix, long records, double rate, int partitions)
            throws Exception {
        Topics topics = Topics.prefixed(topicPrefix + System.nanoTime() + ".");
        createTopics(bootstrap, topics, partitions);
        double plannedRate = rate > 0 ? rate : AS_FAST_AS_POSSIBLE;
        GeneratorConfig config = GeneratorConfig.defaults(bootstrap, out).withTopics(topics).withRate(plannedRate)
                .withCount(records).withProgressEvery(Duration.ofSeconds(10));
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        SentLog log = Generator.run(config, System.out::println);
        long cpuNanos = os.getProcessCpuTime() - cpuBefore;
        double load = os.getSystemLoadAverage();
        return String.format("GENERATE records=%d rate=%s offered_per_s=%.0f behind_s=%.1f cpu_us_per_record=%.1f"
                        + " elapsed_s=%.1f load=%.2f",
                log.events(), rate > 0 ? String.format("%.0f", rate) : "max", log.eventsPerSecond(),
                log.maxBehind().toMillis() / 1000.0, cpuNanos / 1000.0 / log.events(),
                log.elapsed().toMillis() / 1000.0, load);
    }

    private static void createTopics(String bootstrap, Topics topics, int partitions) throws Exception {
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topics.events(), partitions, (short) 1),
                    new NewTopic(topics.users(), 1, (short) 1).configs(compacted),
                    new NewTopic(topics.pages(), 1, (short) 1).configs(compacted))).all().get();
        }
    }

    // ---- the broker in a child JVM --------------------------------------------------------------

    private static Process startBrokerProcess(Path logDir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx1g", "-cp",
                System.getProperty("java.class.path"), GeneratorThroughput.class.getName(), "broker", logDir.toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The child prints "BROKER host:port" once the broker is ready. */
    private static String readBootstrap(Process broker) throws IOException, InterruptedException {
        BufferedReader in = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("BROKER ")) {
                return line.substring("BROKER ".length());
            }
        }
        throw new IllegalStateException("the broker process ended before it was ready (exit " + broker.waitFor() + ")");
    }

    /** Closing the child's stdin asks it to stop its broker; it is killed if it does not within a minute. */
    private static void stopBrokerProcess(Process broker) throws Exception {
        broker.getOutputStream().close();
        if (!broker.waitFor(60, TimeUnit.SECONDS)) {
            broker.destroyForcibly().waitFor();
        }
    }

    /** The child: a broker until stdin closes (so it also ends when the parent dies). */
    private static void runBroker(Path logDir) throws IOException {
        try (KafkaBroker broker = KafkaBroker.start(logDir, 0)) {
            System.out.println("BROKER " + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for end of input
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
