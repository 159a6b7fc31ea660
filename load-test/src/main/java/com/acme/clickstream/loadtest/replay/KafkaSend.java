package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import com.acme.clickstream.loadtest.KafkaSecurity;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An idempotent producer (acks=all, so a retry never duplicates or reorders a partition's records)
 * sending raw key/value bytes; the default partitioner places keyed records by murmur2 of the key.
 */
public final class KafkaSend implements AutoCloseable {
    private final String bootstrapServers;
    private final KafkaProducer<byte[], byte[]> producer;
    private boolean closed;

    public KafkaSend(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(KafkaSecurity.with(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024,
                ProducerConfig.CLIENT_ID_CONFIG, "load-test-" + ProcessHandle.current().pid())),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public int partitionCount(String topic) {
        return partitionCount(bootstrapServers, topic);
    }

    /** Partitions of a topic, asked from the broker (the topic must exist: auto-creation would hide typos). */
    public static int partitionCount(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(KafkaSecurity.with(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topic " + topic + " on " + bootstrapServers + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Future<RecordMetadata> send(String topic, SentRecord r) {
        return producer.send(new ProducerRecord<>(topic, r.keyBytes(), r.value()));
    }

    public void flush() {
        producer.flush();
    }

    /** A sender that writes each record with its acknowledged partition and offset to a JSONL file, in send order. */
    public Recorder recorder(String topic, Path file) {
        return new Recorder(topic, file);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            producer.close();
        }
    }

    public final class Recorder implements AutoCloseable {
        private static final int MAX_PENDING = 200_000;
        private final String topic;
        private final Jsonl.Writer writer;
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();

        private record Pending(SentRecord record, long sentAt, Future<RecordMetadata> ack) {}

        private Recorder(String topic, Path file) {
            this.topic = topic;
            this.writer = file == null ? null : Jsonl.writer(file);
        }

        public void send(SentRecord r) {
            long now = System.currentTimeMillis();
            pending.addLast(new Pending(r, now, KafkaSend.this.send(topic, r)));
            drain(MAX_PENDING);
        }

        /** Writes the acknowledged head of the queue; a failed send ends the run (nothing is recorded as sent that was not). */
        private void drain(int keepAtMost) {
            while (!pending.isEmpty() && (pending.size() > keepAtMost || pending.peekFirst().ack().isDone())) {
                Pending p = pending.removeFirst();
                RecordMetadata md;
                try {
                    md = p.ack().get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("send to " + topic + " failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                if (writer != null) {
                    writer.write(p.record().withDelivery(md.partition(), md.offset(), p.sentAt()));
                }
            }
        }

        @Override
        public void close() {
            flush();
            drain(0);
            if (writer != null) {
                writer.close();
            }
        }
    }
}
