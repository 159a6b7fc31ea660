package com.acme.clickstream.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.Topics;
import com.acme.clickstream.loadtest.replay.KafkaSend;
import com.acme.clickstream.loadtest.verify.ReferenceSessionizer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipelined send path (planner thread ahead of the sender, a writer thread recording acknowledgements)
 * through a MockProducer: the records sent are the planner's, in its order, and the record files hold
 * exactly what was sent, in send order, with the partitions and offsets the producer acknowledged.
 */
class GeneratorPipelineTest {
    private static final int PARTITIONS = 3;
    private static final Topics TOPICS = Topics.prefixed("pipe.");
    private static final Node NODE = new Node(1, "localhost", 9092);

    @TempDir
    Path tmp;

    private GeneratorConfig config(long count) {
        // A high rate: the pacer never sleeps, so the planner and the writer are always busy.
        return GeneratorConfig.defaults("unused:9092", tmp).withTopics(TOPICS).withCount(count).withRate(1_000_000)
                .withTime(Instant.parse("2026-11-20T00:00:00Z"), 60).withUsers(300).withPartitions(PARTITIONS)
                .withProgressEvery(null);
    }

    static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new PartitionInfo(TOPICS.events(), p, NODE, new Node[] {NODE}, new Node[] {NODE}));
        }
        partitions.add(new PartitionInfo(TOPICS.users(), 0, NODE, new Node[] {NODE}, new Node[] {NODE}));
        partitions.add(new PartitionInfo(TOPICS.pages(), 0, NODE, new Node[] {NODE}, new Node[] {NODE}));
        Cluster cluster = new Cluster("c", List.of(NODE), partitions, Set.of(), Set.of());
        return new MockProducer<>(cluster, autoComplete, new KeyHashPartitioner(), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** As the real producer places keyed records (murmur2 of the key); records without a key take turns. */
    public static final class KeyHashPartitioner implements Partitioner {
        private int next;

        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            int n = cluster.partitionCountForTopic(topic);
            return keyBytes == null ? next++ % n : Utils.toPositive(Utils.murmur2(keyBytes)) % n;
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    @Test
    void recordsTheRecordsThePlannerPlansInSendOrderWithTheAcknowledgedOffsets() throws Exception {
        MockProducer<byte[], byte[]> producer = producer(true);
        SentLog log = Generator.run(config(20_000), s -> {}, () -> false, new KafkaSend(null, producer));

        assertThat(log.events()).isEqualTo(20_000);
        List<SentRecord> events = Jsonl.read(tmp.resolve(Jsonl.EVENTS));
        assertThat(keysValuesKinds(events)).isEqualTo(keysValuesKinds(planned(config(20_000), 20_000)));
        assertThat(keysValues(events)).isEqualTo(keysValues(sentTo(producer, TOPICS.events())));
        assertAcknowledgedInSendOrder(events);
        assertThat(events).filteredOn(r -> r.key() != null).allSatisfy(r ->
                assertThat(r.partition()).isEqualTo(ReferenceSessionizer.partitionOf(r.key(), PARTITIONS)));
        // The counts by kind are those of the records sent.
        EventPlanner planner = new EventPlanner(config(20_000), PARTITIONS);
        planned(planner, 20_000);
        assertThat(log.byKind()).isEqualTo(Map.copyOf(planner.sentByKind()));

        List<SentRecord> users = Jsonl.read(tmp.resolve(Jsonl.USERS));
        assertThat(keysValues(users)).isEqualTo(keysValues(sentTo(producer, TOPICS.users())));
        assertThat(users).extracting(SentRecord::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, users.size()).boxed().toList());
        assertThat(Jsonl.read(tmp.resolve(Jsonl.PAGES))).hasSize((int) log.pages());
    }

    /**
     * Record i carries the time it was due (i / rate after the first), not the moment the producer took it: a
     * generator held back (by a broker outage, or a busy machine) then sends a burst whose record timestamps still
     * keep the order and spacing of the events, which is what the sessionizer orders re-keyed records by.
     */
    @Test
    void eventsAreStampedWithTheTimeTheyWereDueNotWhenTheyWereSent() throws Exception {
        MockProducer<byte[], byte[]> producer = producer(true);
        GeneratorConfig config = config(300).withRate(1_000);
        Generator.run(config, s -> {}, () -> false, new KafkaSend(null, producer));

        List<Long> stamps = producer.history().stream().filter(r -> r.topic().equals(TOPICS.events()))
                .map(org.apache.kafka.clients.producer.ProducerRecord::timestamp).toList();
        assertThat(stamps).hasSize(300).doesNotContainNull();
        long first = stamps.get(0);
        assertThat(stamps).isEqualTo(java.util.stream.LongStream.range(0, 300).mapToObj(i -> first + i).toList());
    }

    @Test
    void aStopRequestStillRecordsEveryRecordSentEvenIfAcknowledgedOnlyAtTheEnd() throws Exception {
        // No acknowledgement until the recorder flushes on close: every record sent is still pending then.
        MockProducer<byte[], byte[]> producer = producer(false);
        long stopAfter = 7_777;
        EventPlanner counter = new EventPlanner(config(50_000), PARTITIONS);
        int usersAndPages = counter.userRecords().size() + counter.pageRecords().size();
        // The sender asks before every record: stop once exactly stopAfter events are with the producer.
        SentLog log = Generator.run(config(50_000), s -> {},
                () -> producer.history().size() - usersAndPages >= stopAfter, new KafkaSend(null, producer));
        Thread.interrupted(); // a stopped run sets the flag, as documented; not this test's concern

        assertThat(log.events()).isEqualTo(stopAfter);
        List<SentRecord> events = Jsonl.read(tmp.resolve(Jsonl.EVENTS));
        assertThat(events).hasSize((int) stopAfter);
        assertThat(keysValues(events)).isEqualTo(keysValues(sentTo(producer, TOPICS.events())));
        assertThat(keysValuesKinds(events)).isEqualTo(keysValuesKinds(planned(config(50_000), stopAfter)));
        assertAcknowledgedInSendOrder(events);
        long counted = log.byKind().values().stream().mapToLong(Long::longValue).sum();
        assertThat(counted).isEqualTo(stopAfter);
    }

    @Test
    void aFailedSendEndsTheRecordingThereAndIsReported() throws Exception {
        MockProducer<byte[], byte[]> producer = producer(false);
        Path file = tmp.resolve("t.jsonl");
        KafkaSend send = new KafkaSend(null, producer);
        KafkaSend.Recorder rec = send.recorder(TOPICS.events(), file);
        for (int i = 0; i < 5; i++) {
            rec.send(SentRecord.of("u" + i, "{\"n\":" + i + "}", "normal"));
        }
        assertThat(producer.completeNext()).isTrue();
        assertThat(producer.completeNext()).isTrue();
        assertThat(producer.errorNext(new IllegalStateException("broker says no"))).isTrue();
        // The rest is acknowledged by the flush in close, but nothing after the failure is recorded.
        assertThatThrownBy(rec::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("send to pipe.clickstream.events failed").hasMessageContaining("broker says no");
        send.close();
        assertThat(Jsonl.read(file)).extracting(SentRecord::key).containsExactly("u0", "u1");
        assertThat(Files.readString(file)).endsWith("\n");
    }

    /** Offsets 0, 1, 2, ... per partition, in file order: recorded in send order as the producer acknowledged them. */
    private static void assertAcknowledgedInSendOrder(List<SentRecord> records) {
        Map<Integer, Long> next = new HashMap<>();
        for (SentRecord r : records) {
            assertThat(r.partition()).isBetween(0, PARTITIONS - 1);
            long expected = next.getOrDefault(r.partition(), 0L);
            assertThat(r.offset()).as("offset of the next record of partition %d", r.partition()).isEqualTo(expected);
            next.put(r.partition(), expected + 1);
        }
    }

    private static List<SentRecord> planned(GeneratorConfig c, long n) {
        return planned(new EventPlanner(c, PARTITIONS), n);
    }

    private static List<SentRecord> planned(EventPlanner p, long n) {
        List<SentRecord> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(p.next());
        }
        return out;
    }

    private static List<SentRecord> sentTo(MockProducer<byte[], byte[]> producer, String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic))
                .map(GeneratorPipelineTest::asRecord).toList();
    }

    private static SentRecord asRecord(ProducerRecord<byte[], byte[]> r) {
        return new SentRecord(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                r.value(), -1, -1, 0, null);
    }

    private static List<SentRecord> keysValues(List<SentRecord> records) {
        return records.stream().map(r -> new SentRecord(r.key(), r.value(), -1, -1, 0, null)).toList();
    }

    private static List<SentRecord> keysValuesKinds(List<SentRecord> records) {
        return records.stream().map(r -> new SentRecord(r.key(), r.value(), -1, -1, 0, r.kind())).toList();
    }
}
