package com.acme.clickstream.loadtest.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;

/**
 * The plain Kafka Streams way to count sessions, as a yardstick for the sessionizer:
 * {@code groupByKey().windowedBy(SessionWindows...).count()} with exactly_once_v2, over the same
 * events topic from its beginning (record timestamps, no validation, dedup or enrichment).
 */
public final class KafkaStreamsBaseline {
    private KafkaStreamsBaseline() {}

    public record Result(long events, Duration elapsed) {
        public double eventsPerSecond() {
            return elapsed.toMillis() == 0 ? 0 : events * 1000.0 / elapsed.toMillis();
        }
    }

    /** Runs the topology until its committed offsets reach the topic's end, and returns the rate. */
    public static Result run(String bootstrapServers, String eventsTopic, Duration gap, Duration grace, Path stateDir,
                             Duration timeout) throws Exception {
        String appId = "bench-baseline-" + System.currentTimeMillis();
        String output = appId + "-counts";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            int partitions = admin.describeTopics(List.of(eventsTopic)).allTopicNames().get().get(eventsTopic).partitions().size();
            admin.createTopics(List.of(new NewTopic(output, partitions, (short) 1))).all().get();
            Map<TopicPartition, Long> end = endOffsets(admin, eventsTopic, partitions);
            long events = end.values().stream().mapToLong(Long::longValue).sum();

            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(eventsTopic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .groupByKey()
                    .windowedBy(SessionWindows.ofInactivityGapAndGrace(gap, grace))
                    .count()
                    .toStream()
                    .to(output, Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(byte[].class), Serdes.Long()));
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
            p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
            long started = System.nanoTime();
            try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
                streams.start();
                long deadline = started + timeout.toNanos();
                while (committed(admin, appId, end) < events) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("baseline did not finish within " + timeout);
                    }
                    Thread.sleep(200);
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
                return new Result(events, elapsed);
            } finally {
                admin.deleteTopics(List.of(output));
            }
        }
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> req = new java.util.HashMap<>();
        for (int i = 0; i < partitions; i++) {
            req.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : admin.listOffsets(req).all().get().entrySet()) {
            out.put(e.getKey(), e.getValue().offset());
        }
        return out;
    }

    /** Records of the topic below the group's committed offsets (at most the given end offsets). */
    static long committed(Admin admin, String group, Map<TopicPartition, Long> end) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            OffsetAndMetadata o = offsets.get(e.getKey());
            // a committed offset past the last record also counts transaction markers: cap it at the end
            n += o == null ? 0 : Math.min(o.offset(), e.getValue());
        }
        return n;
    }
}
