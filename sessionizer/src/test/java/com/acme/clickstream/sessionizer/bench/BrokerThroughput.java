package com.acme.clickstream.sessionizer.bench;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import com.acme.clickstream.sessionizer.streams.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Throughput of the topology in a real KafkaStreams (exactly_once_v2, one stream thread) against an in-process
 * single-node broker: {@code java -cp <test classpath> com.acme.clickstream.sessionizer.bench.BrokerThroughput
 * [events] [users] [partitions]}. The events are produced first; the clock runs from start() until every event
 * has been accepted, dropped as duplicate or sent to the late topic. Not a test.
 */
public final class BrokerThroughput {

    public static void main(String[] args) throws Exception {
        // Without Quarkus' logging configuration JBoss LogManager reports every level as enabled, and the clients
        // format each trace message (a fifth of the stream thread's time) only to drop it; the service does not.
        org.jboss.logmanager.LogContext.getLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path work = Files.createTempDirectory("broker-bench");
        Topics topics = Topics.defaults();
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0)) {
            for (String t : List.of(topics.events(), topics.sessions(), topics.dlq(), topics.late())) {
                broker.createTopic(t, partitions);
            }
            broker.createTopic(topics.users(), partitions, Map.of("cleanup.policy", "compact"));
            broker.createTopic(topics.pages(), partitions, Map.of("cleanup.policy", "compact"));
            long t0 = System.currentTimeMillis() - Duration.ofHours(8).toMillis();
            List<byte[][]> records = BenchEvents.generate(events, users, t0);
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, 10);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (byte[][] r : records) {
                    producer.send(new ProducerRecord<>(topics.events(), r[0], r[1]));
                }
            }
            Properties sp = new Properties();
            sp.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
            sp.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            sp.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("state").toString());
            sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            sp.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (KafkaStreams streams = new KafkaStreams(
                    new SessionizerTopology(topics, SessionRules.defaults(), registry).build(), sp)) {
                long start = System.nanoTime();
                streams.start();
                double done;
                do {
                    Thread.sleep(100); // a benchmark main, not a test: polling the counters is fine here
                    done = count(registry, "sessionizer.events.accepted") + count(registry, "sessionizer.events.duplicate")
                            + count(registry, "sessionizer.events.late");
                } while (done < events);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpu = streamThreadCpuSeconds();
                System.out.printf("%d events in %.2f s (incl. start-up): %.0f events/s; accepted %.0f, duplicate %.0f, "
                                + "late %.0f, sessions emitted %.0f%n", events, seconds, events / seconds,
                        count(registry, "sessionizer.events.accepted"), count(registry, "sessionizer.events.duplicate"),
                        count(registry, "sessionizer.events.late"), count(registry, "sessionizer.sessions.emitted"));
                // Wall-clock figures swing with the load of a shared machine; the stream thread's own CPU time
                // per event is the steadier measure of the topology's cost.
                System.out.printf("stream thread CPU %.2f s: %.1f us/event (%.0f events per CPU second)%n", cpu,
                        cpu * 1e6 / events, events / cpu);
            }
        }
    }

    private static double streamThreadCpuSeconds() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("-StreamThread-")) {
                nanos += Math.max(0, mx.getThreadCpuTime(t.getId()));
            }
        }
        return nanos / 1e9;
    }

    private static double count(SimpleMeterRegistry registry, String name) {
        return registry.get(name).counter().count();
    }
}
