package com.acme.clickstream.sessionizer.bench;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import com.acme.clickstream.sessionizer.streams.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;

/**
 * Capacity benchmark: drains one pre-loaded backlog with (a) the sessionizer topology, built and configured as the
 * service runs it, and (b) the textbook {@code groupByKey().windowedBy(SessionWindows).count()} topology, both with
 * exactly_once_v2 and the service's commit interval (100 ms), alternating, and ends with one CAPACITY line per
 * thread count. {@code -Dcapacity.commit-interval-ms=100,1000} runs both at each of these commit intervals
 * instead (alternating within each round, one CAPACITY line per thread count and interval), to weigh the service's
 * setting: throughput against the latency a commit interval adds to every output.
 * <pre>
 * java -cp &lt;test classpath&gt; com.acme.clickstream.sessionizer.bench.Capacity [events] [users] [rounds] [threads,...]
 * </pre>
 * The backlog: contract-valid JSON events of ~220 bytes, Zipf-distributed users (exponent 0.8), keyed by user id
 * on 4 partitions; event time advances ~2.4 ms per event, so 3M events span 2 h (more than the 1 h dedup window)
 * and the heaviest users click often enough (gap 30 s) to keep one session open for the whole backlog. 2 % of the
 * events are out of order by up to 20 s, 1 % are resends. Not a test: figures depend on the machine; ratios from
 * the same run are what to compare. Records carry their event time as timestamp, so the plain topology (which
 * sessionizes by record time) cuts the same sessions.
 */
public final class Capacity {

    static final int PARTITIONS = 4;
    static final Duration GAP = Duration.ofSeconds(30);
    static final Duration GRACE = Duration.ofSeconds(5);

    record Run(String topology, int threads, Integer commitMs, long events, double seconds, double firstThirdPerS,
               double lastThirdPerS, double cpuUsPerEvent, double processCpuUsPerEvent) {
        double perSecond() {
            return events / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String[] threadCounts = (args.length > 3 ? args[3] : "1,2").split(",");
        String intervals = System.getProperty("capacity.commit-interval-ms");
        // null: the service's own setting.
        List<Integer> commitIntervals = intervals == null ? java.util.Collections.singletonList(null)
                : java.util.Arrays.stream(intervals.split(",")).map(v -> Integer.valueOf(v.trim())).toList();
        // The service's image runs the parallel collector; a run under another one is not the service's figure.
        System.out.println("[capacity] collectors: " + java.lang.management.ManagementFactory
                .getGarbageCollectorMXBeans().stream().map(java.lang.management.GarbageCollectorMXBean::getName)
                .toList());
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "capacity");
        try {
            run(work, events, users, rounds, threadCounts, commitIntervals);
        } finally {
            // The broker's log of the backlog and the outputs: gigabytes for a 3M-event run.
            org.apache.kafka.common.utils.Utils.delete(work.toFile());
        }
    }

    private static void run(Path work, int events, int users, int rounds, String[] threadCounts,
                            List<Integer> commitIntervals) throws Exception {
        Topics topics = Topics.defaults();
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0); Admin admin = broker.admin()) {
            for (String t : List.of(topics.events(), topics.sessions(), topics.dlq(), topics.late())) {
                broker.createTopic(t, PARTITIONS);
            }
            broker.createTopic(topics.users(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            broker.createTopic(topics.pages(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            long t0 = System.nanoTime();
            preload(broker.bootstrapServers(), topics.events(), events, users);
            System.out.printf("[capacity] pre-loaded %d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
            Map<TopicPartition, Long> end = endOffsets(admin, topics.events());
            int n = 0;
            // Both topologies first drain a smaller backlog of their own, unreported: the JIT compiles the broker's,
            // the clients' and Kafka Streams' paths once, and the first measured run does not pay for it alone.
            Topics warm = new Topics("capacity-warmup-events", topics.users(), topics.pages(),
                    "capacity-warmup-sessions", "capacity-warmup-dlq", "capacity-warmup-late");
            for (String t : List.of(warm.events(), warm.sessions(), warm.dlq(), warm.late())) {
                broker.createTopic(t, PARTITIONS);
            }
            int warmEvents = Math.min(events, 300_000);
            preload(broker.bootstrapServers(), warm.events(), warmEvents, users);
            Map<TopicPartition, Long> warmEnd = endOffsets(admin, warm.events());
            for (boolean sessionizer : new boolean[] {true, false}) {
                String appId = (sessionizer ? "warmup-sessionizer-" : "warmup-baseline-") + (n++);
                drain(sessionizer ? "warm-up sessionizer" : "warm-up baseline",
                        topology(sessionizer, warm, appId, broker), appId, 1, null, broker, admin, warmEnd, work);
            }
            List<Run> runs = new ArrayList<>();
            for (String tc : threadCounts) {
                int threads = Integer.parseInt(tc.trim());
                for (int r = 0; r < rounds; r++) {
                    // Alternate which goes first, so that neither always runs on a warmer (or busier) machine.
                    boolean sessionizerFirst = r % 2 == 0;
                    for (int i = 0; i < commitIntervals.size(); i++) {
                        Integer commitMs = commitIntervals.get(r % 2 == 0 ? i : commitIntervals.size() - 1 - i);
                        for (int k = 0; k < 2; k++) {
                            boolean sessionizer = (k == 0) == sessionizerFirst;
                            String appId = (sessionizer ? "capacity-sessionizer-" : "capacity-baseline-") + (n++);
                            Run run = drain(sessionizer ? "sessionizer" : "baseline",
                                    topology(sessionizer, topics, appId, broker), appId, threads, commitMs, broker,
                                    admin, end, work);
                            runs.add(run);
                            System.out.printf("[capacity] %s threads=%d%s: %.0f events/s (first third %.0f/s, last "
                                            + "third %.0f/s), %.1f us stream-thread CPU per event, %.1f us process CPU"
                                            + " per event (broker included)%n", run.topology(), threads,
                                    commitMs == null ? "" : " commit_interval_ms=" + commitMs, run.perSecond(),
                                    run.firstThirdPerS(), run.lastThirdPerS(), run.cpuUsPerEvent(),
                                    run.processCpuUsPerEvent());
                        }
                    }
                }
            }
            for (String tc : threadCounts) {
                int threads = Integer.parseInt(tc.trim());
                for (Integer commitMs : commitIntervals) {
                    List<Run> s = runs.stream().filter(r -> r.threads() == threads
                            && Objects.equals(r.commitMs(), commitMs) && r.topology().equals("sessionizer")).toList();
                    List<Run> b = runs.stream().filter(r -> r.threads() == threads
                            && Objects.equals(r.commitMs(), commitMs) && r.topology().equals("baseline")).toList();
                    double sRate = median(s.stream().mapToDouble(Run::perSecond).toArray());
                    double bRate = median(b.stream().mapToDouble(Run::perSecond).toArray());
                    System.out.printf("CAPACITY threads=%d guarantee=exactly_once_v2 events=%d"
                                    + " sessionizer_events_per_s=%.0f baseline_ks_events_per_s=%.0f ratio=%.2f"
                                    + " first_third_per_s=%.0f last_third_per_s=%.0f cpu_us_per_event=%.1f"
                                    + " process_cpu_us_per_event=%.1f baseline_process_cpu_us_per_event=%.1f%s%n",
                            threads, events, sRate, bRate, sRate / bRate,
                            median(s.stream().mapToDouble(Run::firstThirdPerS).toArray()),
                            median(s.stream().mapToDouble(Run::lastThirdPerS).toArray()),
                            median(s.stream().mapToDouble(Run::cpuUsPerEvent).toArray()),
                            median(s.stream().mapToDouble(Run::processCpuUsPerEvent).toArray()),
                            median(b.stream().mapToDouble(Run::processCpuUsPerEvent).toArray()),
                            commitMs == null ? "" : " commit_interval_ms=" + commitMs);
                }
            }
        }
    }

    /** The sessionizer as the service builds it, or the plain topology with its own output topic. */
    static Topology topology(boolean sessionizer, Topics topics, String appId, KafkaBroker broker) {
        if (sessionizer) {
            return new SessionizerTopology(topics, rules(), new SimpleMeterRegistry()).build();
        }
        broker.createTopic(appId + "-counts", PARTITIONS);
        return baseline(topics.events(), appId + "-counts");
    }

    /** The service's rules with the benchmark's gap and grace (as in the measurement). */
    static SessionRules rules() {
        SessionRules d = SessionRules.defaults();
        return new SessionRules(GAP, d.maxDuration(), GRACE, d.idleAdvanceAfter(), d.dedupWindow(),
                Duration.ofDays(3650), false, Optional.empty());
    }

    static Topology baseline(String events, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(events, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .groupByKey()
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP, GRACE))
                .count()
                .toStream()
                .to(output, Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(byte[].class), Serdes.Long()));
        return builder.build();
    }

    /** @param commitMs the commit interval, or null for the service's */
    static Run drain(String name, Topology topology, String appId, int threads, Integer commitMs, KafkaBroker broker,
                     Admin admin, Map<TopicPartition, Long> end, Path work) throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        Path stateDir = work.resolve("state-" + appId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        p.putAll(ServiceSettings.kafkaStreams());
        if (commitMs != null) {
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
        }
        long total = end.values().stream().mapToLong(Long::longValue).sum();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (KafkaStreams streams = new KafkaStreams(topology, p)) {
            long processCpu0 = os.getProcessCpuTime();
            Map<String, Long> threadCpu0 = cpuByThreadKind(mx, appId);
            long start = System.nanoTime();
            streams.start();
            long third = -1;
            long twoThirds = -1;
            long done;
            long cpu = 0;
            long allocated = 0;
            while (true) {
                done = committed(admin, appId, end);
                long now = System.nanoTime();
                if (third < 0 && done >= total / 3) {
                    third = now;
                }
                if (twoThirds < 0 && done >= 2 * total / 3) {
                    twoThirds = now;
                }
                cpu = Math.max(cpu, streamThreadCpuNanos(mx, appId));
                allocated = Math.max(allocated, streamThreadAllocatedBytes(mx, appId));
                if (done >= total) {
                    break;
                }
                if (now - start > Duration.ofMinutes(30).toNanos()) {
                    throw new IllegalStateException(name + " did not drain the backlog within 30 minutes");
                }
                Thread.sleep(100); // a benchmark main polling progress, not a test
            }
            long finished = System.nanoTime();
            long processCpu = os.getProcessCpuTime() - processCpu0;
            double sent = 0;
            double bytes = 0;
            for (var m : streams.metrics().entrySet()) {
                if (m.getKey().group().equals("producer-metrics")) {
                    if (m.getKey().name().equals("record-send-total")) {
                        sent += ((Number) m.getValue().metricValue()).doubleValue();
                    } else if (m.getKey().name().equals("outgoing-byte-total")) {
                        bytes += ((Number) m.getValue().metricValue()).doubleValue();
                    }
                }
            }
            System.out.printf("[capacity] %s threads=%d produced %.2f records and %.0f bytes per event%n", name,
                    threads, sent / total, bytes / total);
            Map<String, double[]> perTopic = new java.util.TreeMap<>();
            for (var m : streams.metrics().entrySet()) {
                if (m.getKey().group().equals("producer-topic-metrics")) {
                    int k = m.getKey().name().equals("record-send-total") ? 0
                            : m.getKey().name().equals("byte-total") ? 1 : -1;
                    if (k >= 0) {
                        perTopic.computeIfAbsent(m.getKey().tags().get("topic").replace(appId + "-", ""),
                                t -> new double[2])[k] += ((Number) m.getValue().metricValue()).doubleValue();
                    }
                }
            }
            StringBuilder topicLine = new StringBuilder();
            perTopic.forEach((t, v) -> topicLine.append(String.format(" %s=%.2f/%.0fB", t, v[0] / total,
                    v[1] / total)));
            System.out.printf("[capacity] %s threads=%d per event by topic (records/bytes, batched):%s%n", name,
                    threads, topicLine);
            System.out.printf("[capacity] %s threads=%d stream-thread wall time by phase:%s%n", name, threads,
                    wallTimeByPhase(streams, (finished - start) / 1e6 * threads));
            System.out.printf("[capacity] %s threads=%d stream threads allocated %.0f bytes per event%n", name, threads,
                    (double) allocated / total);
            Map<String, Long> threadCpu = cpuByThreadKind(mx, appId);
            StringBuilder kinds = new StringBuilder();
            long javaThreads = 0;
            for (Map.Entry<String, Long> k : new java.util.TreeMap<>(threadCpu).entrySet()) {
                long d = k.getValue() - threadCpu0.getOrDefault(k.getKey(), 0L);
                javaThreads += d;
                
                kinds.append(String.format(" %s=%.1f", k.getKey(), d / 1e3 / total));
            }
            kinds.append(String.format(" unaccounted=%.1f", (processCpu - javaThreads) / 1e3 / total));
            System.out.printf("[capacity] %s threads=%d us CPU per event by thread kind:%s%n", name, threads, kinds);
            streams.close(Duration.ofSeconds(60));
            String rocksDb = rocksDbWorkByStore(stateDir, total);
            if (!rocksDb.isEmpty()) {
                System.out.printf("[capacity] %s threads=%d RocksDB per event by store (compaction CPU us, bytes"
                        + " flushed, bytes written by compactions):%s%n", name, threads, rocksDb);
            }
            streams.cleanUp();
            double seconds = (finished - start) / 1e9;
            return new Run(name, threads, commitMs, total, seconds, (total / 3.0) / ((third - start) / 1e9),
                    (total - 2 * total / 3.0) / ((finished - twoThirds) / 1e9), cpu / 1e3 / total,
                    processCpu / 1e3 / total);
        }
    }

    /**
     * Where the stream threads' wall time went, in % of (drain time x threads): Kafka Streams' own thread metrics
     * (count x average latency of each phase, and the time blocked on clients), so a phase that waits on the broker
     * (the transaction commit) shows next to the processing it holds up.
     */
    static String wallTimeByPhase(KafkaStreams streams, double wallMs) {
        Map<String, Double> total = new java.util.TreeMap<>();
        Map<String, double[]> latency = new HashMap<>();
        for (var m : streams.metrics().entrySet()) {
            if (!m.getKey().group().equals("stream-thread-metrics")
                    || !(m.getValue().metricValue() instanceof Number value)) {
                continue;
            }
            String n = m.getKey().name();
            String thread = m.getKey().tags().get("thread-id");
            double v = value.doubleValue();
            if (Double.isNaN(v)) {
                continue;
            }
            if (n.equals("blocked-time-ns-total")) {
                total.merge("blocked-on-clients", v / 1e6, Double::sum);
            }
            for (String phase : List.of("poll", "process", "commit", "punctuate")) {
                if (n.equals(phase + "-total")) {
                    latency.computeIfAbsent(thread + phase, k -> new double[2])[0] = v;
                } else if (n.equals(phase + "-latency-avg")) {
                    latency.computeIfAbsent(thread + phase, k -> new double[2])[1] = v;
                }
            }
        }
        latency.forEach((k, v) -> total.merge(k.replaceAll("^.*?(poll|process|commit|punctuate)$", "$1"),
                v[0] * v[1], Double::sum));
        StringBuilder out = new StringBuilder();
        total.forEach((k, v) -> out.append(String.format(" %s=%.0f%%", k, 100 * v / wallMs)));
        return out.toString();
    }

    private static final java.util.regex.Pattern EVENT_FIGURE =
            java.util.regex.Pattern.compile("\"(event|compaction_time_cpu_micros|total_output_size|total_data_size)\""
                    + ": \"?([a-z_0-9]+)");

    /**
     * What RocksDB's background threads did for each store, from the compaction and flush events of the stores'
     * info logs (empty unless {@link CompactionVariant} turned them on), summed over tasks.
     */
    static String rocksDbWorkByStore(Path stateDir, long events) throws java.io.IOException {
        Map<String, double[]> byStore = new java.util.TreeMap<>();
        if (!Files.isDirectory(stateDir)) {
            return "";
        }
        try (var files = Files.walk(stateDir)) {
            for (Path log : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("LOG"))::iterator) {
                double[] sum = byStore.computeIfAbsent(log.getParent().getFileName().toString(), k -> new double[3]);
                for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                    if (!line.contains("EVENT_LOG_v1")) {
                        continue;
                    }
                    Map<String, String> f = new HashMap<>();
                    var m = EVENT_FIGURE.matcher(line);
                    while (m.find()) {
                        f.putIfAbsent(m.group(1), m.group(2));
                    }
                    if ("compaction_finished".equals(f.get("event"))) {
                        sum[0] += Double.parseDouble(f.getOrDefault("compaction_time_cpu_micros", "0"));
                        sum[2] += Double.parseDouble(f.getOrDefault("total_output_size", "0"));
                    } else if ("flush_started".equals(f.get("event"))) {
                        sum[1] += Double.parseDouble(f.getOrDefault("total_data_size", "0"));
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        byStore.forEach((store, v) -> {
            if (v[0] + v[1] + v[2] > 0) {
                out.append(String.format(" %s=%.2f/%.0fB/%.0fB", store, v[0] / events, v[1] / events, v[2] / events));
            }
        });
        return out.toString();
    }

    /** CPU time of the JVM's threads so far, by what they do (the broker runs in this JVM too). */
    static Map<String, Long> cpuByThreadKind(ThreadMXBean mx, String appId) {
        Map<String, Long> out = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            String kind;
            if (n.contains("producer-network-thread")) {
                kind = n.contains(appId) ? "app-producer" : "other-producer";
            } else if (n.startsWith(appId) && n.contains("-StreamThread-")) {
                kind = "stream-thread";
            } else if (n.startsWith(appId)) {
                kind = "app-other";
            } else if (n.contains("kafka-request-handler")) {
                kind = "broker-handler";
            } else if (n.contains("data-plane") || n.contains("kafka-network")) {
                kind = "broker-network";
            } else if (n.contains("log-cleaner") || n.contains("kafka-scheduler")) {
                kind = "broker-log-maintenance";
            } else if (n.contains("Txn") || n.contains("coordinator") || n.contains("transaction")) {
                kind = "broker-coordinators";
            } else {
                kind = "other";
            }
            out.merge(kind, Math.max(0, mx.getThreadCpuTime(t.getId())), Long::sum);
        }
        nativeThreadCpu(out);
        return out;
    }

    /**
     * CPU time of the threads the JVM does not list (RocksDB's flush and compaction threads, GC, JIT), from
     * /proc/self/task (Linux; nothing elsewhere), in nanoseconds at the kernel's clock tick of 10 ms.
     */
    static void nativeThreadCpu(Map<String, Long> out) {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return;
        }
        try (var dirs = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) dirs::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String kind = comm.startsWith("rocksdb") ? "native-rocksdb"
                            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "native-gc"
                            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "native-jit" : null;
                    if (kind == null) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    out.merge(kind, ticks * 10_000_000L, Long::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            // no per-thread figures
        }
    }

    /**
     * Bytes allocated so far by the stream threads: unlike CPU time, it does not depend on what else the machine
     * runs, so it compares builds across runs.
     */
    static long streamThreadAllocatedBytes(ThreadMXBean mx, String appId) {
        com.sun.management.ThreadMXBean counters = (com.sun.management.ThreadMXBean) mx;
        return sumOverStreamThreads(appId, t -> counters.getThreadAllocatedBytes(t.getId()));
    }

    static long streamThreadCpuNanos(ThreadMXBean mx, String appId) {
        return sumOverStreamThreads(appId, t -> mx.getThreadCpuTime(t.getId()));
    }

    /** A per-thread figure summed over the application's stream threads (a thread gone meanwhile counts 0). */
    private static long sumOverStreamThreads(String appId, java.util.function.ToLongFunction<Thread> figure) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(appId) && t.getName().contains("-StreamThread-")) {
                sum += Math.max(0, figure.applyAsLong(t));
            }
        }
        return sum;
    }

    static void preload(String bootstrap, String topic, int events, int users) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        double[] cdf = zipfCdf(users, 0.8);
        Random random = new Random(42);
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        // Recent enough for the broker's 7-day retention, whatever day the benchmark runs.
        long ts = System.currentTimeMillis() - Duration.ofHours(4).toMillis();
        List<ProducerRecord<byte[], byte[]>> recent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                ProducerRecord<byte[], byte[]> record;
                if (recent.size() > 100 && random.nextInt(100) == 0) {
                    record = recent.get(random.nextInt(recent.size()));      // a producer's resend
                } else {
                    ts += random.nextInt(5);
                    long eventTs = random.nextInt(50) == 0 ? ts - random.nextInt(20_000) : ts;
                    String user = "user-" + sample(cdf, random);
                    String type = switch (random.nextInt(10)) {
                        case 0 -> "purchase";
                        case 1, 2 -> "click";
                        default -> "page_view";
                    };
                    String json = "{\"event_id\":\"evt-" + i + "\",\"user_id\":\"" + user + "\",\"ts\":\""
                            + iso.format(Instant.ofEpochMilli(eventTs)) + "\",\"type\":\"" + type
                            + "\",\"url\":\"https://shop.example.com/p/" + random.nextInt(500) + "?ref=mail\","
                            + (type.equals("purchase") ? "\"amount\":" + (random.nextInt(10000) / 100.0) + "," : "")
                            + "\"referrer\":\"https://www.google.com/\",\"utm_source\":\"google\",\"utm_medium\":"
                            + "\"cpc\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}";
                    // The record timestamp is the event time, as a producer stamping its events does: the plain
                    // topology sessionizes by record time, so it must see the same time as the sessionizer.
                    record = new ProducerRecord<>(topic, null, eventTs, user.getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8));
                    if (recent.size() < 1000) {
                        recent.add(record);
                    } else {
                        recent.set(random.nextInt(1000), record);
                    }
                }
                producer.send(record);
            }
        }
    }

    static double[] zipfCdf(int n, double exponent) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1 / Math.pow(k, exponent);
            cdf[k - 1] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        return cdf;
    }

    static int sample(double[] cdf, Random random) {
        int i = java.util.Arrays.binarySearch(cdf, random.nextDouble());
        return i >= 0 ? i : Math.min(cdf.length - 1, -i - 1);
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (int i = 0; i < PARTITIONS; i++) {
            req.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(req).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    static long committed(Admin admin, String group, Map<TopicPartition, Long> end) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata o = offsets.get(e.getKey());
            n += o == null ? 0 : Math.min(o.offset(), e.getValue());
        }
        return n;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
