package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;

/**
 * Time to start, as a new pod of a scale-out or a fail-over starts: the packaged jar from an empty state directory,
 * the broker up and the topics present, each start a new application id (a group and transactional ids the broker
 * has not seen). Measured from process start: when the management interface first answers (Quarkus is up), when
 * Kafka Streams leaves CREATED (the startup probe turns UP), when it is RUNNING, and the first 200 of
 * /q/health/ready (the readiness probe), plus the steps in between from the service's log. It reports medians and
 * asserts only that every start became ready: performance on a shared machine is reported, not asserted.
 *
 * <p>{@code -Dsessionizer.startup.starts=N} (default 5) sets the number of starts of each variant;
 * {@code -Dsessionizer.startup.variants='name=options|name=options'} compares variants of JVM options, one start of
 * each in turn so that a change of the machine's load hits all alike; {@code APPCDS} stands for the class data
 * sharing option of the archive that the build writes next to the jar (app-cds.jsa). The default is
 * {@code appcds=APPCDS}, the jar as the image runs it; README.md's comparison is {@code appcds=APPCDS|plain=}.
 * {@code -Dsessionizer.startup.scale-out=true} measures instead a second instance joining the group of a running
 * one (a scale-out). {@code -Dsessionizer.startup.env=NAME=value,...} adds environment variables to every start.
 */
class StartupTimeIT {
    static final String PREFIX = "startup-time.";
    static final Duration READY_WITHIN = Duration.ofSeconds(90);
    /** Explicit, so that the log's timestamps can be read whatever Quarkus' default format becomes. */
    static final String LOG_FORMAT = "%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n";
    static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    static final Pattern QUARKUS_STARTED = Pattern.compile("started in ([0-9.]+)s");

    /** Log lines whose first occurrence marks a step, in start order. */
    static final Map<String, String> STEPS = new LinkedHashMap<>();

    static {
        STEPS.put("quarkus_started", "Listening on:");
        STEPS.put("streams_started", "State transition from CREATED to REBALANCING");
        STEPS.put("streams_running", "State transition from REBALANCING to RUNNING");
        // Only with the consumer's coordinator logging at INFO (sessionizer.startup.env, README "Measured here").
        STEPS.put("join_sent", "(Re-)joining group");
        STEPS.put("joined", "Successfully joined group");
    }

    record Start(String variant, long httpUpMs, long readyMs, long quarkusSelfMs, Map<String, Long> steps,
            long httpUpCpuMs, long cpuMs, long rssKb) {}

    @Test
    void startsFromAnEmptyStateDirectoryWithTheBrokerUp() throws Exception {
        int starts = Integer.getInteger("sessionizer.startup.starts", 5);
        Path archive = AppProcess.jar().toAbsolutePath().getParent().resolve("app-cds.jsa");
        assertThat(archive).as("the build writes the class data sharing archive (quarkus.package.jar.aot)")
                .isRegularFile();
        Map<String, List<String>> variants = variants(System.getProperty("sessionizer.startup.variants",
                "appcds=APPCDS"), "-XX:SharedArchiveFile=" + archive.getFileName());
        Map<String, String> topics = Servers.createTopics(PREFIX);
        warmBroker();

        List<Start> results = new ArrayList<>();
        boolean scaleOut = Boolean.getBoolean("sessionizer.startup.scale-out");
        for (int i = 0; i < starts; i++) {
            for (Map.Entry<String, List<String>> v : variants.entrySet()) {
                results.add(scaleOut ? joinOnce(topics, v.getKey(), v.getValue(), i)
                        : startOnce(topics, v.getKey(), v.getValue(), i));
            }
        }
        report(results);
    }

    static Map<String, List<String>> variants(String spec, String archiveOption) {
        Map<String, List<String>> variants = new LinkedHashMap<>();
        for (String variant : spec.split("\\|")) {
            int eq = variant.indexOf('=');
            String name = (eq < 0 ? variant : variant.substring(0, eq)).trim();
            List<String> options = new ArrayList<>();
            for (String o : (eq < 0 ? "" : variant.substring(eq + 1)).trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    options.add(o.equals("APPCDS") ? archiveOption : o);
                }
            }
            variants.put(name, options);
        }
        return variants;
    }

    /**
     * The broker's own topics for groups and transactions exist on any running cluster, but not on the test JVM's
     * fresh broker until the first group and the first transactional producer: created here, so that the first
     * measured start does not pay for them.
     */
    static void warmBroker() {
        String bootstrap = Servers.kafka().bootstrapServers();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "startup-time-warm-up");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "startup-time-warm-up");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.commitSync(Map.of(new TopicPartition(PREFIX + "clickstream.events", 0), new OffsetAndMetadata(0)));
        }
    }

    static Map<String, String> env(Map<String, String> topics, String applicationId) {
        Map<String, String> env = new HashMap<>(Servers.asEnv(topics));
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", applicationId);
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("startup-state").toString());
        // Nobody listens there: PostgreSQL is not on the start path, and must not be.
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.put("QUARKUS_LOG_CONSOLE_FORMAT", LOG_FORMAT);
        String extra = System.getProperty("sessionizer.startup.env", "");
        for (String kv : extra.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return env;
    }

    /** One start of a new application: its own group, its own internal topics, an empty state directory. */
    static Start startOnce(Map<String, String> topics, String variant, List<String> jvmOptions, int i) {
        Map<String, String> env = env(topics, "sessionizer-startup-" + UUID.randomUUID());
        try (AppProcess app = AppProcess.start("startup-" + variant + "-" + i, env, FreePorts.next(), jvmOptions)) {
            return measure(app, variant);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A scale-out: a second instance joins the group of a running one, with an empty state directory of its own.
     * Measured: the second.
     */
    static Start joinOnce(Map<String, String> topics, String variant, List<String> jvmOptions, int i) {
        String applicationId = "sessionizer-startup-" + UUID.randomUUID();
        try (AppProcess first = AppProcess.start("startup-first-" + variant + "-" + i, env(topics, applicationId),
                FreePorts.next(), jvmOptions)) {
            measure(first, variant + "-first");
            try (AppProcess second = AppProcess.start("startup-join-" + variant + "-" + i,
                    env(topics, applicationId), FreePorts.next(), jvmOptions)) {
                return measure(second, variant);
            } finally {
                first.kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls the readiness probe until it answers 200; the figures of this start, and the process killed. */
    static Start measure(AppProcess app, String variant) throws InterruptedException {
        long httpUp = -1;
        long httpUpCpu = -1;
        long deadline = app.startedNanos + READY_WITHIN.toNanos();
        while (true) {
            int status = app.get("/q/health/ready").status();
            long now = System.nanoTime();
            if (status != -1 && httpUp < 0) {
                httpUp = (now - app.startedNanos) / 1_000_000;
                httpUpCpu = app.cpuMs();
            }
            if (status == 200) {
                break;
            }
            assertThat(app.isAlive()).as("the service is running; log:\n%s", app.output()).isTrue();
            assertThat(now).as("ready within %s; log:\n%s", READY_WITHIN, app.output()).isLessThan(deadline);
            // The probe's polling interval, bounded by the deadline above. Not shorter: every probe costs the service
            // CPU time that its start would otherwise have (Kubernetes probes every 2 s).
            Thread.sleep(50);
        }
        long ready = (System.nanoTime() - app.startedNanos) / 1_000_000;
        long cpu = app.cpuMs();
        long rss = app.rssKb();
        String log = app.output();
        Map<String, Long> steps = new LinkedHashMap<>();
        for (Map.Entry<String, String> step : STEPS.entrySet()) {
            long at = logTime(log, step.getValue(), app.startedEpochMs);
            if (at >= 0 || !step.getKey().startsWith("join")) {
                steps.put(step.getKey(), at);
            }
        }
        Matcher m = QUARKUS_STARTED.matcher(log);
        long quarkusSelf = m.find() ? Math.round(Double.parseDouble(m.group(1)) * 1000) : -1;
        Start s = new Start(variant, httpUp, ready, quarkusSelf, steps, httpUpCpu, cpu, rss);
        System.out.println("[sessionizer startup] " + s);
        if (!variant.endsWith("-first")) {
            // Each start has a group and state of its own that nothing reads again: a graceful stop would only
            // add its seconds to the test's run time.
            app.kill();
        }
        return s;
    }

    /** Milliseconds from the process start to the first log line containing text (-1: none). */
    static long logTime(String log, String text, long startedEpochMs) {
        for (String line : log.split("\n")) {
            if (line.contains(text) && line.length() > 23) {
                try {
                    long at = LocalDateTime.parse(line.substring(0, 23), LOG_TIME).atZone(ZoneId.systemDefault())
                            .toInstant().toEpochMilli();
                    return at - startedEpochMs;
                } catch (java.time.DateTimeException e) {
                    continue; // a continuation line of a message that mentions the text
                }
            }
        }
        return -1;
    }

    static void report(List<Start> results) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format("JVM mode, broker up, empty state directory, %d cores, load average %.1f at the end%n",
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        Map<String, List<Start>> byVariant = new LinkedHashMap<>();
        for (Start s : results) {
            byVariant.computeIfAbsent(s.variant(), k -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<String, List<Start>> e : byVariant.entrySet()) {
            List<Start> list = e.getValue();
            out.append(String.format("%s, median of %d starts (ms from process start): http_up=%d quarkus_started=%d "
                            + "(Quarkus' own figure %d) streams_started=%d streams_running=%d ready=%d; CPU time until "
                            + "http_up %d ms, until ready %d ms; VmRSS %d MB%n",
                    e.getKey(), list.size(), median(list, Start::httpUpMs),
                    median(list, s -> s.steps().get("quarkus_started")), median(list, Start::quarkusSelfMs),
                    median(list, s -> s.steps().get("streams_started")),
                    median(list, s -> s.steps().get("streams_running")), median(list, Start::readyMs),
                    median(list, Start::httpUpCpuMs), median(list, Start::cpuMs), median(list, Start::rssKb) / 1024));
            for (Start s : list) {
                out.append(String.format("  start: http_up=%d steps=%s ready=%d cpu=%d%n", s.httpUpMs(), s.steps(),
                        s.readyMs(), s.cpuMs()));
            }
        }
        System.out.print("[sessionizer startup] " + out);
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "startup-figures.txt"), out,
                StandardCharsets.UTF_8);
    }

    static long median(List<Start> list, java.util.function.ToLongFunction<Start> f) {
        long[] v = list.stream().mapToLong(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
