package com.acme.clickstream.loadtest.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples the pipeline while the bench runs: every second the events in the topic (sent), the events
 * the sessionizer has committed (its consumer group's offsets), and the rows and sum(event_count) in
 * PostgreSQL; every 250 ms the rows that became visible since, whose wall-clock latency from closed_at
 * (when the session became final) goes into a histogram.
 */
final class Sampler implements AutoCloseable {
    record Sample(long atMs, long sent, long processed, long rows, long rowEvents) {}

    private final String jdbcUrl;
    private final String eventsTopic;
    private final int partitions;
    private final String sessionizerGroup;
    private final Admin admin;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final Histogram latency = new Histogram(3_600_000L, 3);
    private final Set<String> seen = new HashSet<>();
    private volatile boolean stop;
    private volatile Exception failure;

    Sampler(String bootstrapServers, String jdbcUrl, String eventsTopic, int partitions, String sessionizerGroup) {
        this.jdbcUrl = jdbcUrl;
        this.eventsTopic = eventsTopic;
        this.partitions = partitions;
        this.sessionizerGroup = sessionizerGroup;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.thread = new Thread(this::loop, "bench-sampler");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement recent = c.prepareStatement(
                     "select session_id, closed_at from sessions where closed_at > ?")) {
            watchRows(recent, false); // rows already there are not this run's latency
            long nextSample = 0;
            while (!stop) {
                long now = elapsedMs();
                watchRows(recent, true);
                if (now >= nextSample) {
                    sample(c, now);
                    nextSample = now + 1000;
                }
                Thread.sleep(250);
            }
            sample(c, elapsedMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        }
    }

    private void watchRows(PreparedStatement recent, boolean record) throws Exception {
        recent.setTimestamp(1, new Timestamp(System.currentTimeMillis() - 600_000));
        try (ResultSet rs = recent.executeQuery()) {
            long now = System.currentTimeMillis();
            while (rs.next()) {
                if (seen.add(rs.getString(1)) && record) {
                    long closedAt = rs.getObject(2, OffsetDateTime.class).toInstant().toEpochMilli();
                    synchronized (latency) {
                        latency.recordValue(Math.max(0, Math.min(now - closedAt, latency.getHighestTrackableValue())));
                    }
                }
            }
        }
    }

    private void sample(Connection c, long atMs) throws Exception {
        Map<TopicPartition, Long> end = KafkaStreamsBaseline.endOffsets(admin, eventsTopic, partitions);
        long sent = end.values().stream().mapToLong(Long::longValue).sum();
        long processed = KafkaStreamsBaseline.committed(admin, sessionizerGroup, end);
        long rows;
        long rowEvents;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*), coalesce(sum(event_count), 0) from sessions")) {
            rs.next();
            rows = rs.getLong(1);
            rowEvents = rs.getLong(2);
        }
        synchronized (samples) {
            samples.add(new Sample(atMs, sent, processed, rows, rowEvents));
        }
    }

    long elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    Sample last() {
        synchronized (samples) {
            return samples.isEmpty() ? new Sample(0, 0, 0, 0, 0) : samples.get(samples.size() - 1);
        }
    }

    Histogram latency() {
        synchronized (latency) {
            return latency.copy();
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close();
        if (failure != null) {
            throw new IllegalStateException("sampler failed: " + failure, failure);
        }
    }
}
