package com.acme.clickstream.loadtest.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples the pipeline while the bench runs: every second the events in the topic (sent), the events
 * the sessionizer has committed (its consumer group's offsets), and the rows and sum(event_count) in
 * PostgreSQL. The latency of each row from its closed_at (when the session became final) to the moment
 * it became visible is kept with its closed_at ({@link RowLatencies}): read after the run from the commit time PostgreSQL recorded
 * for the row's transaction ({@code track_commit_timestamp}, on in the local stack's server), or, on a
 * server that does not record it, from the wall clock when a poll every 250 ms first sees the row.
 * Polling counts its own interval and query time too (a poll reads every row of the last ten minutes,
 * tens of thousands at the bench's load), and it loads the machine the pipeline runs on; the commit time
 * is when the row became visible.
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
    /** The wall clock at {@link #startNanos}: closed_at is the sessionizer's wall clock, on this machine in the local stack. */
    private final long startEpochMs = System.currentTimeMillis();
    private final List<Sample> samples = new ArrayList<>();
    private final RowLatencies latencies = new RowLatencies();
    private final Set<String> seen = new HashSet<>();
    /** Whether the server records commit timestamps (decided when the sampler connects). */
    private volatile boolean commitTimestamps;
    /** The server's clock when the sampler connected: rows committed before it are not this run's. */
    private volatile Timestamp serverStart;
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
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(
                         "select current_setting('track_commit_timestamp') = 'on', clock_timestamp()")) {
                rs.next();
                serverStart = rs.getTimestamp(2);
                commitTimestamps = rs.getBoolean(1);
            }
            if (!commitTimestamps) {
                watchRows(recent, false); // rows already there are not this run's latency
            }
            long nextSample = 0;
            while (!stop) {
                long now = elapsedMs();
                if (!commitTimestamps) {
                    watchRows(recent, true);
                }
                if (now >= nextSample) {
                    sample(c, now);
                    nextSample = now + 1000;
                }
                Thread.sleep(commitTimestamps ? 1000 : 250);
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
                    latencies.record(closedAt, now - closedAt);
                }
            }
        }
    }

    /**
     * Records the latency of every row committed since {@code since} (server clock): its transaction's commit time
     * minus its closed_at, both on this machine's clock in the local stack (the sessionizer stamps closed_at,
     * PostgreSQL the commit). A row's xmin is the sink's transaction that inserted it, committed by COMMIT PREPARED
     * at the checkpoint; rows still prepared are not visible and not read.
     *
     * @return the rows recorded
     */
    static long recordCommitLatencies(Connection c, Timestamp since, RowLatencies into) throws SQLException {
        long rows = 0;
        try (PreparedStatement st = c.prepareStatement(
                "select closed_at, pg_xact_commit_timestamp(xmin) from sessions"
                        + " where closed_at > ?::timestamptz - interval '10 minutes' and pg_xact_commit_timestamp(xmin) >= ?")) {
            st.setTimestamp(1, since);
            st.setTimestamp(2, since);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime closedAt = rs.getObject(1, OffsetDateTime.class);
                    long micros = ChronoUnit.MICROS.between(closedAt, rs.getObject(2, OffsetDateTime.class));
                    into.record(closedAt.toInstant().toEpochMilli(), Math.round(micros / 1000.0));
                    rows++;
                }
            }
        }
        return rows;
    }

    /** How the latency was measured, for the report's notes. */
    String latencySource() {
        return commitTimestamps
                ? "the commit time of the row's transaction (PostgreSQL's track_commit_timestamp, read after the run)"
                : "the wall clock when a row is first seen (PostgreSQL polled every 250 ms; the server does not record"
                        + " commit timestamps)";
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

    /** The wall-clock time (epoch ms) of a moment given as {@link #elapsedMs()}. */
    long epochMs(long elapsedMs) {
        return startEpochMs + elapsedMs;
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

    /** The rows measured; complete once {@link #close()} has returned. */
    RowLatencies latencies() {
        return latencies;
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
        if (commitTimestamps) {
            try (Connection c = DriverManager.getConnection(jdbcUrl)) {
                recordCommitLatencies(c, serverStart, latencies);
            } catch (SQLException e) {
                throw new IllegalStateException("reading the rows' commit times failed: " + e.getMessage(), e);
            }
        }
    }
}
