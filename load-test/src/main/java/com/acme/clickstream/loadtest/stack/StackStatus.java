package com.acme.clickstream.loadtest.stack;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import com.acme.clickstream.loadtest.model.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live figures of a running stack for the progress line: records on the output topics (counted by a
 * read_committed consumer, so aborted transactions and commit markers never count), events in the
 * input topic, rows in PostgreSQL.
 */
public final class StackStatus implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StackStatus.class);

    private final LocalStack stack;
    private final Topics topics;
    private final Map<String, Long> counts = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread tail;
    private static final String OPEN_SESSIONS = "sessionizer_sessions_open";
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public StackStatus(LocalStack stack) {
        this.stack = stack;
        this.topics = stack.config().topics();
        tail = new Thread(this::tail, "stack-status");
        tail.setDaemon(true);
        tail.start();
    }

    public synchronized long count(String topic) {
        return counts.getOrDefault(topic, 0L);
    }

    /** One line: events in, sessions final, rows in PostgreSQL, DLQ and late records, child health. */
    public String line() {
        String rows;
        try {
            rows = String.valueOf(stack.sessionRows());
        } catch (RuntimeException e) {
            rows = "? (PostgreSQL unreachable)";
        }
        return String.format("events in topic %d | sessions open %s | sessions final %d | rows in PostgreSQL %s | DLQ %d | late %d%s",
                eventsInTopic(), stack.openSessions().map(String::valueOf).orElse("?"), count(topics.sessions()), rows,
                count(topics.dlq()), count(topics.late()), health());
    }

    /** Sum of the samples of {@code sessionizer_sessions_open} in a Prometheus text exposition. */
    static Optional<Long> openSessions(String metrics) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(OPEN_SESSIONS + " ") || line.startsWith(OPEN_SESSIONS + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? Optional.of(Math.round(sum)) : Optional.empty();
    }

    private String health() {
        StringBuilder s = new StringBuilder();
        for (ChildProcess child : List.of(stack.sessionizer(), stack.flinkJob())) {
            if (!child.isAlive()) {
                s.append(" | ").append(child.name()).append(" DOWN").append(child.exitCode().map(c -> " (exit " + c + ")").orElse(""))
                        .append(", see ").append(child.logFile());
            }
        }
        return s.toString();
    }

    /** Sum over partitions of end minus beginning offsets: the producers' records (markers make it a bit more). */
    private long eventsInTopic() {
        try (var admin = stack.admin()) {
            var partitions = admin.describeTopics(List.of(topics.events())).allTopicNames().get()
                    .get(topics.events()).partitions().stream()
                    .map(p -> new TopicPartition(topics.events(), p.partition())).toList();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> earliest = new HashMap<>();
            partitions.forEach(tp -> {
                latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
                earliest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest());
            });
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            long start = admin.listOffsets(earliest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            return end - start;
        } catch (Exception e) {
            return -1;
        }
    }

    private void tail() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            this.consumer = consumer;
            List<TopicPartition> assigned = new java.util.ArrayList<>();
            for (String topic : List.of(topics.sessions(), topics.dlq(), topics.late())) {
                consumer.partitionsFor(topic).forEach(info -> assigned.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            while (running.get()) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    synchronized (this) {
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            counts.merge(r.topic(), 1L, Long::sum);
                        }
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running.get()) {
                LOG.warn("progress counting stopped", e);
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            tail.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
