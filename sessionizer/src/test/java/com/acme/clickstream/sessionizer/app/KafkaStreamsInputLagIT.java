package com.acme.clickstream.sessionizer.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.TestServers;

/**
 * The idle advance depends on reading the main consumer's lag from the Kafka client's metrics. This test
 * runs the real Kafka Streams of the project's Kafka version against a real broker and checks the exact lag
 * that {@link KafkaStreamsInputLag} reads: a Kafka upgrade that renames the metric, its group or tags, or
 * the client ids, fails here instead of silently turning every partition "caught up".
 */
class KafkaStreamsInputLagIT {
    private static final int RECORDS = 10;

    @Test
    void readsTheExactConsumerLagOfAnInputPartitionAndNothingForOthers() throws Exception {
        KafkaBroker kafka = TestServers.kafka();
        String topic = "input-lag-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i));
            }
            producer.flush();
        }

        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger processed = new AtomicInteger();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new Processor<String, String, Void, Void>() {
                    @Override
                    public void process(Record<String, String> record) {
                        // Holds the stream thread on the first record: no further poll, so the lag stays put.
                        try {
                            release.await(2, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        processed.incrementAndGet();
                    }
                });

        Path state = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "input-lag");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "input-lag-" + UUID.randomUUID());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // One record per poll: after the first poll the consumer's position is 1 and the lag 10 - 1.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1);
        // The same isolation as under exactly_once_v2, where the lag is measured from the last stable offset.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        // The service's commit interval: the committed offsets are asserted, and the default waits 30 s.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);

        KafkaStreamsInputLag inputLag = new KafkaStreamsInputLag();
        TopicPartition input = new TopicPartition(topic, 0);
        assertThat(inputLag.lag(input)).as("before Kafka Streams exists").isEqualTo(OptionalLong.empty());
        assertThat(inputLag.lastFetched(input)).isEqualTo(OptionalLong.empty());

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        inputLag.onKafkaStreams(streams);
        try {
            streams.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inputLag.lag(input).equals(OptionalLong.of(RECORDS - 1)));
            assertThat(processed.get()).isZero();
            // The task's metadata: the last offset a poll handed it (the record it is held on), not processed yet.
            assertThat(inputLag.lastFetched(input)).as("last fetched while held on the first record")
                    .isEqualTo(OptionalLong.of(0));
            assertThat(inputLag.lastCommitted(input)).as("nothing committed since the start").isEqualTo(OptionalLong.of(-1));
            assertThat(inputLag.lastFetched(new TopicPartition("another-topic", 0))).isEmpty();
            assertThat(inputLag.lag(new TopicPartition(topic, 1))).as("a partition that does not exist").isEmpty();
            assertThat(inputLag.lag(new TopicPartition("another-topic", 0))).as("a topic this instance does not read").isEmpty();

            release.countDown();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> processed.get() == RECORDS && inputLag.lag(input).equals(OptionalLong.of(0)));
            assertThat(inputLag.lastFetched(input)).isEqualTo(OptionalLong.of(RECORDS - 1));
            // Committed past the last record fetched: every record handed to the task is processed and committed.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inputLag.lastCommitted(input).equals(OptionalLong.of(RECORDS)));
            assertThat(inputLag.lastCommitted(new TopicPartition("another-topic", 0))).isEmpty();
            // The main consumer's fetch-total: caught up, it long-polls (500 ms), so responses keep coming and a
            // change is seen within the 1.5 s that the validate step takes for a current view.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                OptionalLong since = inputLag.sinceLastFetchResponse(input);
                return since.isPresent() && since.getAsLong() <= 1_500;
            });
            assertThat(inputLag.sinceLastFetchResponse(new TopicPartition("another-topic", 0))).isEmpty();
        } finally {
            release.countDown();
            streams.close(Duration.ofSeconds(30));
        }
    }
}
