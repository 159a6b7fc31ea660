package com.acme.clickstream.flink.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes test records to the test broker. */
public final class Topics implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public Topics(KafkaBroker broker, String topic, int partitions) {
        // No deletion by time: tests send fixed Kafka timestamps (DedupRetentionIT: 2026-11-24), which the default
        // 7-day retention deletes at the broker's next retention check once the calendar has moved on.
        broker.createTopic(topic, partitions, Map.of("retention.ms", "-1"));
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    public void send(SessionRow session) {
        send(session.userId(), Sessions.bytes(session));
    }

    /** With a fixed Kafka timestamp (epoch ms), the event time of the job's dedup retention. */
    public void send(SessionRow session, long timestamp) {
        send(new ProducerRecord<>(topic, null, timestamp, session.userId().getBytes(StandardCharsets.UTF_8),
                Sessions.bytes(session)));
    }

    public void send(String key, byte[] value) {
        send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    /**
     * Sends the sessions one by one, {@code gap} apart, in the background: the job then sees them across many
     * checkpoints. The returned thread ends when all are sent.
     */
    public Thread trickle(List<SessionRow> sessions, Duration gap) {
        Thread thread = new Thread(() -> {
            for (SessionRow s : sessions) {
                send(s);
                try {
                    TimeUnit.MILLISECONDS.sleep(gap.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "trickle-" + topic);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
