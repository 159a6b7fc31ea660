package com.acme.clickstream.sessionizer.bench;

import com.acme.clickstream.sessionizer.streams.InputLag;
import com.acme.clickstream.sessionizer.streams.PartitionCounts;
import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import com.acme.clickstream.sessionizer.streams.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * Rough single-thread throughput of the topology in a TopologyTestDriver (no broker, RocksDB stores):
 * {@code java -cp <test classpath> com.acme.clickstream.sessionizer.bench.TtdThroughput [events] [users]}.
 * Not a test: numbers depend on the machine. TopologyTestDriver commits (flushes every RocksDB store) after
 * each record, so this is a lower bound dominated by flushes; {@link BrokerThroughput} measures the real thing.
 */
public final class TtdThroughput {

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        Instant wall = Instant.parse("2026-11-24T12:00:00Z");
        long t0 = wall.minus(Duration.ofHours(6)).toEpochMilli();
        List<byte[][]> records = BenchEvents.generate(events, users, t0);
        Path stateDir = Files.createTempDirectory("ttd-bench");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        SessionRules rules = SessionRules.defaults();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                new SessionizerTopology(Topics.defaults(), rules, registry, InputLag.UNKNOWN,
                        PartitionCounts.fixed(1)).build(), props, wall)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("clickstream.events",
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("clickstream.sessions",
                    new StringDeserializer(), new StringDeserializer());
            long start = System.nanoTime();
            long emitted = 0;
            for (int i = 0; i < records.size(); i++) {
                in.pipeInput(records.get(i)[0], records.get(i)[1]);
                if (i % 10_000 == 0) {
                    emitted += out.readValuesToList().size();
                }
            }
            emitted += out.readValuesToList().size();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d events in %.2f s: %.0f events/s; sessions emitted %d; accepted %.0f, duplicate %.0f,"
                            + " late %.0f%n", events, seconds, events / seconds, emitted,
                    registry.get("sessionizer.events.accepted").counter().count(),
                    registry.get("sessionizer.events.duplicate").counter().count(),
                    registry.get("sessionizer.events.late").counter().count());
        }
    }
}
