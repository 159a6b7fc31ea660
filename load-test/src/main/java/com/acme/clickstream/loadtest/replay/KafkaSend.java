package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.acme.clickstream.loadtest.KafkaSecurity;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
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
    private final Producer<byte[], byte[]> producer;
    private boolean closed;

    public KafkaSend(String bootstrapServers) {
        this(bootstrapServers, new KafkaProducer<>(KafkaSecurity.with(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.CLIENT_ID_CONFIG, "load-test-" + ProcessHandle.current().pid())),
                new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Through any producer, e.g. a MockProducer in tests (then only topics' partition counts need a broker). */
    public KafkaSend(String bootstrapServers, Producer<byte[], byte[]> producer) {
        this.bootstrapServers = bootstrapServers;
        this.producer = producer;
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
        return send(topic, r, null);
    }

    /** With the record timestamp given (null: the producer's clock at this call, Kafka's default). */
    public Future<RecordMetadata> send(String topic, SentRecord r, Long timestampMs) {
        return producer.send(new ProducerRecord<>(topic, null, timestampMs, r.keyBytes(), r.value()));
    }

    public void flush() {
        producer.flush();
    }

    /** A sender that writes each record with its acknowledged partition and offset to a JSONL file (null = none), in send order. */
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

    /**
     * Sends records and has a writer thread of its own record them: it waits for each send's
     * acknowledgement in send order and writes the record with the acknowledged partition and offset
     * (one buffered file, no flush per record). The sender's thread only hands the record to the
     * producer and its acknowledgement to the writer, so writing the file never delays a send.
     */
    public final class Recorder implements AutoCloseable {
        /** Sends not yet recorded at most; beyond it the sender waits for the writer (bounded memory). */
        private static final int MAX_PENDING = 200_000;
        private static final Pending END = new Pending(null, 0, null);
        private final String topic;
        private final Jsonl.Writer writer;
        private final BlockingQueue<Pending> pending = new ArrayBlockingQueue<>(MAX_PENDING);
        private final Thread writerThread;
        /** The first failed send (or write): nothing after it is recorded, and the sender is told. */
        private volatile RuntimeException failure;
        /** Set when close could not flush: records not acknowledged by then are not recorded. */
        private volatile boolean abandoned;
        private boolean closed;

        private record Pending(SentRecord record, long sentAt, Future<RecordMetadata> ack) {}

        private Recorder(String topic, Path file) {
            this.topic = topic;
            this.writer = file == null ? null : Jsonl.writer(file);
            this.writerThread = new Thread(this::recordAcknowledged, "record-writer " + topic);
            writerThread.setDaemon(true);
            writerThread.start();
        }

        /** Sends the record; throws if an earlier send failed (nothing is recorded as sent that was not). */
        public void send(SentRecord r) {
            send(r, null);
        }

        /** As {@link #send(SentRecord)}, with the record timestamp given (null: the producer's clock). */
        public void send(SentRecord r, Long timestampMs) {
            throwIfFailed();
            long now = System.currentTimeMillis();
            handToWriter(new Pending(r, now, KafkaSend.this.send(topic, r, timestampMs)));
        }

        /**
         * Queues a sent record for the writer, even when interrupted (the flag is kept): a record the
         * producer has is recorded, whatever stops the run.
         */
        private void handToWriter(Pending p) {
            boolean interrupted = false;
            while (true) {
                try {
                    pending.put(p);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** The writer thread: until END, each record once acknowledged, in send order. */
        private void recordAcknowledged() {
            while (true) {
                Pending p;
                try {
                    p = pending.take();
                } catch (InterruptedException e) {
                    continue; // nobody interrupts this thread; END ends it
                }
                if (p == END) {
                    return;
                }
                if (failure == null) {
                    // After a failure the queue is still drained, so that the sender never waits for a full queue.
                    try {
                        record(p);
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                }
            }
        }

        private void record(Pending p) {
            RecordMetadata md = null;
            try {
                while (md == null) {
                    if (abandoned) {
                        throw new IllegalStateException("send to " + topic + " not acknowledged before the recorder closed");
                    }
                    try {
                        md = p.ack().get(100, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // still in flight: wait on, unless the recorder closed without a flush
                    }
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("send to " + topic + " failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (writer != null) {
                writer.write(p.record().withDelivery(md.partition(), md.offset(), p.sentAt()));
            }
        }

        private void throwIfFailed() {
            RuntimeException f = failure;
            if (f != null) {
                throw new IllegalStateException(f.getMessage(), f);
            }
        }

        /** Flushes the producer, waits until the writer has recorded every record sent, closes the file. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                flush();
            } catch (RuntimeException e) {
                // Not flushed (interrupted): the writer must not wait for acknowledgements that may never come.
                abandoned = true;
                throw e;
            } finally {
                handToWriter(END);
                joinWriter();
                if (writer != null) {
                    writer.close();
                }
            }
            throwIfFailed();
        }

        private void joinWriter() {
            boolean interrupted = false;
            while (writerThread.isAlive()) {
                try {
                    writerThread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
