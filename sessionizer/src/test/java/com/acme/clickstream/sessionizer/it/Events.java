package com.acme.clickstream.sessionizer.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing click events and reading topics back, with explicit event timestamps. */
final class Events {
    private Events() {}

    static String pageView(String eventId, String userId, String ts, String url) {
        return "{\"event_id\":\"" + eventId + "\",\"user_id\":\"" + userId + "\",\"ts\":\"" + ts
                + "\",\"type\":\"page_view\",\"url\":\"" + url + "\"}";
    }

    static KafkaProducer<String, String> producer() {
        return producer(Servers.kafka().bootstrapServers());
    }

    static KafkaProducer<String, String> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Sends and waits for the acks: the records are in the log when this returns. */
    static void send(String topic, List<Map.Entry<String, String>> keyedValues) {
        send(Servers.kafka().bootstrapServers(), topic, keyedValues);
    }

    static void send(String bootstrapServers, String topic, List<Map.Entry<String, String>> keyedValues) {
        try (KafkaProducer<String, String> producer = producer(bootstrapServers)) {
            for (Map.Entry<String, String> kv : keyedValues) {
                producer.send(new ProducerRecord<>(topic, kv.getKey(), kv.getValue()));
            }
            producer.flush();
        }
    }

    /** Every committed record of the topic, read from the beginning until the end offsets at call time. */
    static List<ConsumerRecord<String, String>> readCommitted(String topic) {
        return readCommitted(Servers.kafka().bootstrapServers(), topic);
    }

    static List<ConsumerRecord<String, String>> readCommitted(String bootstrapServers, String topic) {
        return readCommitted(bootstrapServers, topic, new StringDeserializer(), new StringDeserializer());
    }

    /** Every committed record of the topic, read with the given deserializers (raw bytes where values may not be text). */
    static <K, V> List<ConsumerRecord<K, V>> readCommitted(String bootstrapServers, String topic,
                                                           Deserializer<K> keys, Deserializer<V> values) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(p, keys, values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, end offsets are the last stable offsets: nothing open is waited for.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<K, V>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
