package com.acme.clickstream.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** Replaying a recorded run into fresh topics reproduces every record, keys, null values and non-UTF-8 bytes included. */
class ReplayIT {
    private static final int PARTITIONS = 2;

    @Test
    void replayReproducesTheRecordedTopicsPartitionByPartition() throws Exception {
        KafkaBroker kafka = TestServers.kafka();
        Topics original = Topics.prefixed("replayit-a.");
        Topics copy = Topics.prefixed("replayit-b.");
        for (Topics t : List.of(original, copy)) {
            kafka.createTopic(t.events(), PARTITIONS);
            kafka.createTopic(t.users(), PARTITIONS, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(t.pages(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        }
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "replayit");
        Generator.run(GeneratorConfig.defaults(kafka.bootstrapServers(), dir).withTopics(original).withCount(1500)
                .withRate(10_000).withTime(Instant.parse("2026-11-20T00:00:00Z"), 600).withUsers(100)
                .withRatios(new com.acme.clickstream.loadtest.generate.Ratios(0.02, 0.05, 0.01, 0.05, 0, 0.02))
                .withProgressEvery(null), s -> {});

        Replayer.Replayed r = Replayer.run(new ReplayConfig(kafka.bootstrapServers(), copy, dir, 0, null), s -> {});
        List<SentRecord> recorded = Jsonl.read(dir.resolve(Jsonl.EVENTS));
        assertThat(r.events()).isEqualTo(recorded.size()).isEqualTo(1500);
        assertThat(r.users()).isEqualTo(Jsonl.read(dir.resolve(Jsonl.USERS)).size());

        // Every record is keyed (no mis-keyed ones here), so each lands on the same partition in the same order.
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            List<String> expected = recorded.stream().filter(x -> x.partition() == partition).map(ReplayIT::text).toList();
            assertThat(read(kafka, copy.events(), p)).isEqualTo(expected);
            assertThat(read(kafka, original.events(), p)).isEqualTo(expected);
        }
        assertThat(recorded).anyMatch(x -> x.value() == null).anyMatch(x -> Jsonl.strictUtf8(x.value() == null ? new byte[0] : x.value()) == null);
    }

    private static String text(SentRecord r) {
        return r.key() + " | " + (r.value() == null ? "null" : Arrays.toString(r.value()));
    }

    private static List<String> read(KafkaBroker kafka, String topic, int partition) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    out.add((rec.key() == null ? null : new String(rec.key(), java.nio.charset.StandardCharsets.UTF_8))
                            + " | " + (rec.value() == null ? "null" : Arrays.toString(rec.value())));
                }
            }
        }
        return out;
    }
}
