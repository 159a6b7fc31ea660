package com.acme.clickstream.sessionizer.app;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.acme.clickstream.sessionizer.streams.InputLag;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The consumer lag of the input partitions, read from the metrics of Kafka Streams' main consumers: the
 * fetch-manager metric {@code records-lag} (group {@code consumer-fetch-manager-metrics}, tags {@code client-id},
 * {@code topic}, {@code partition}). The consumer records it whenever it hands out the records of a fetch
 * (also an empty one): the last stable offset ({@code read_committed}, as under exactly-once) minus the position.
 * It is absent until the partition's first fetch on this instance, and goes away when the partition is revoked.
 * While a partition is paused (Streams' buffer full) it keeps its last value, which is then above 0.
 *
 * <p>Nothing is matched by name fragments: the metric is the one with exactly this group, name and the tags
 * {@code client-id}, {@code topic}, {@code partition}, and the client ids are those Kafka Streams reports for its
 * main consumers ({@link ThreadMetadata#consumerClientId()}), so the restore and global consumers never count.
 * Should an upgrade rename the metric or its tags, {@code KafkaStreamsInputLagIT} fails, and at run time the
 * first refresh that finds owned input partitions but no lag metric at all logs a warning (idleness then
 * falls back to processed records alone).
 *
 * <p>A partition this instance owns but has not fetched yet (just after a start or a rebalance) reports a lag
 * of 1 rather than "unknown": records appended while no instance consumed it may be waiting, and treating it
 * as caught up would let the idle advance run over that backlog (seen after a crash of the whole local stack
 * on a loaded machine, where the first fetch came many seconds after the task started). The consumer records
 * the metric at its first fetch, even an empty one; should it never come (a renamed metric), the partition
 * falls back to "unknown" after {@link #UNFETCHED_AT_MOST} and a warning is logged.
 *
 * <p>The {@link KafkaStreams} instance arrives with the event Quarkus fires just before starting it: injecting
 * it would be circular (it is built from the topology, which is built with this object).
 */
@Singleton
public class KafkaStreamsInputLag implements InputLag {

    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String NAME = "records-lag";
    /** Per consumer (tag {@code client-id}): the fetch responses received, counted on every successful one. */
    static final String FETCH_TOTAL = "fetch-total";
    /** The snapshot of metric objects is rebuilt this often (metric values are read live). */
    private static final long REFRESH_NANOS = 1_000_000_000L;
    /** ... and on a miss, at most this often. */
    private static final long REFRESH_ON_MISS_NANOS = 100_000_000L;
    /** How long an owned partition without a lag metric counts as behind before it counts as unknown. */
    static final long UNFETCHED_AT_MOST_NANOS = 60_000_000_000L;
    static final java.time.Duration UNFETCHED_AT_MOST = java.time.Duration.ofNanos(UNFETCHED_AT_MOST_NANOS);
    private static final Logger LOG = Logger.getLogger(KafkaStreamsInputLag.class);

    private volatile KafkaStreams streams;
    private volatile Map<TopicPartition, List<Metric>> byPartition = Map.of();
    /** The {@code fetch-total} metric of each main consumer, by client id. */
    private volatile Map<String, Metric> fetchTotals = Map.of();
    /** Per client id: the {@code fetch-total} last seen, and when it was first seen with that value. */
    private final Map<String, long[]> fetchSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long refreshedAt;
    private volatile boolean refreshedOnce;
    private volatile boolean warnedMissing;
    /** Owned input partitions without a lag metric yet, with the time they were first seen so. */
    private volatile Map<TopicPartition, Long> unfetchedSince = Map.of();

    void onKafkaStreams(@Observes KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public OptionalLong lag(TopicPartition partition) {
        KafkaStreams ks = streams;
        if (ks == null) {
            return OptionalLong.empty();
        }
        long now = System.nanoTime();
        List<Metric> metrics = lagMetricsOf(ks, partition, now);
        if (metrics == null) {
            Long since = unfetchedSince.get(partition);
            return since != null && now - since < UNFETCHED_AT_MOST_NANOS ? OptionalLong.of(1) : OptionalLong.empty();
        }
        // Normally one main consumer has the partition; a thread being replaced may briefly still show it.
        long lag = -1;
        for (Metric m : metrics) {
            if (m.metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                lag = Math.max(lag, (long) Math.ceil(n.doubleValue()));
            }
        }
        return lag < 0 ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    /**
     * From the task's metadata: Kafka Streams sets a task's end offset of a partition to the largest offset of the
     * records each poll hands it ({@code -1} before any), and the metadata holds live views of the task's maps.
     */
    @Override
    public OptionalLong lastFetched(TopicPartition partition) {
        return fromTaskMetadata(partition, TaskMetadata::endOffsets);
    }

    /** From the task's metadata: Kafka Streams updates it after each commit of the task ({@code -1} before any). */
    @Override
    public OptionalLong lastCommitted(TopicPartition partition) {
        return fromTaskMetadata(partition, TaskMetadata::committedOffsets);
    }

    private OptionalLong fromTaskMetadata(TopicPartition partition,
                                          java.util.function.Function<TaskMetadata, Map<TopicPartition, Long>> map) {
        KafkaStreams ks = streams;
        if (ks == null) {
            return OptionalLong.empty();
        }
        try {
            for (ThreadMetadata thread : ks.metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    Long offset = map.apply(task).get(partition);
                    if (offset != null) {
                        return OptionalLong.of(Math.max(-1, offset));
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf(e, "cannot read the task metadata of %s", partition);
        }
        return OptionalLong.empty();
    }

    /**
     * From the {@code fetch-total} of the partition's main consumer: the time since this instance first saw its
     * current value. Unknown until a change has been seen (a first look cannot tell how old the count is).
     */
    @Override
    public OptionalLong sinceLastFetchResponse(TopicPartition partition) {
        KafkaStreams ks = streams;
        if (ks == null) {
            return OptionalLong.empty();
        }
        long now = System.nanoTime();
        List<Metric> lags = lagMetricsOf(ks, partition, now);
        if (lags == null) {
            return OptionalLong.empty();
        }
        long since = Long.MAX_VALUE;
        for (Metric lag : lags) {
            String client = lag.metricName().tags().get("client-id");
            Metric total = client == null ? null : fetchTotals.get(client);
            if (total == null || !(total.metricValue() instanceof Number n) || Double.isNaN(n.doubleValue())) {
                continue;
            }
            long value = (long) n.doubleValue();
            long[] seen = fetchSeen.computeIfAbsent(client, c -> new long[] {value, Long.MIN_VALUE});
            if (seen[0] != value) {
                seen[0] = value;
                seen[1] = now;
            }
            if (seen[1] != Long.MIN_VALUE) {
                since = Math.min(since, (now - seen[1]) / 1_000_000L);
            }
        }
        return since == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(since);
    }

    /** The partition's {@code records-lag} metrics from the snapshot, rebuilt first when stale (or on a miss). */
    private List<Metric> lagMetricsOf(KafkaStreams ks, TopicPartition partition, long now) {
        List<Metric> metrics = byPartition.get(partition);
        if (!refreshedOnce || now - refreshedAt > REFRESH_NANOS
                || (metrics == null && now - refreshedAt > REFRESH_ON_MISS_NANOS)) {
            metrics = refresh(ks, now).get(partition);
        }
        return metrics;
    }

    private synchronized Map<TopicPartition, List<Metric>> refresh(KafkaStreams ks, long now) {
        Map<TopicPartition, List<Metric>> map = new HashMap<>();
        try {
            Set<String> mainConsumers = new HashSet<>();
            Set<TopicPartition> owned = new HashSet<>();
            for (ThreadMetadata thread : ks.metadataForLocalThreads()) {
                mainConsumers.add(thread.consumerClientId());
                thread.activeTasks().forEach(t -> owned.addAll(t.topicPartitions()));
            }
            map = lagMetrics(ks.metrics(), mainConsumers);
            fetchTotals = fetchTotalMetrics(ks.metrics(), mainConsumers);
            Map<TopicPartition, Long> unfetched = new HashMap<>();
            Map<TopicPartition, Long> before = unfetchedSince;
            for (TopicPartition tp : owned) {
                if (!map.containsKey(tp)) {
                    long since = before.getOrDefault(tp, now);
                    unfetched.put(tp, since);
                    if (now - since >= UNFETCHED_AT_MOST_NANOS && !warnedMissing) {
                        warnedMissing = true;
                        LOG.warnf("no %s/%s metric of the main consumers %s for %s within %s of its assignment:"
                                + " idle advance judges from processed records alone", GROUP, NAME, mainConsumers, tp,
                                UNFETCHED_AT_MOST);
                    }
                }
            }
            unfetchedSince = unfetched;
        } catch (RuntimeException e) {
            // Never fail a punctuation because of metrics: unknown lag means "judge from processed records".
            LOG.warnf(e, "cannot read the consumer lag from the Kafka Streams metrics");
        }
        byPartition = map;
        refreshedAt = now;
        refreshedOnce = true;
        return map;
    }

    /** The {@code fetch-total} metric of each of the given consumers (exact group, name and the one tag). */
    static Map<String, Metric> fetchTotalMetrics(Map<MetricName, ? extends Metric> metrics, Set<String> clientIds) {
        Map<String, Metric> map = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            String client = name.tags().get("client-id");
            if (FETCH_TOTAL.equals(name.name()) && GROUP.equals(name.group()) && name.tags().size() == 1
                    && client != null && clientIds.contains(client)) {
                map.put(client, e.getValue());
            }
        }
        return map;
    }

    /** The {@code records-lag} metrics of the given consumers, by partition (exact group, name and tags). */
    static Map<TopicPartition, List<Metric>> lagMetrics(Map<MetricName, ? extends Metric> metrics, Set<String> clientIds) {
        Map<TopicPartition, List<Metric>> map = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!NAME.equals(name.name()) || !GROUP.equals(name.group())) {
                continue;
            }
            String client = name.tags().get("client-id");
            String topic = name.tags().get("topic");
            String partition = name.tags().get("partition");
            if (client == null || topic == null || partition == null || !clientIds.contains(client)) {
                continue;
            }
            map.computeIfAbsent(new TopicPartition(topic, Integer.parseInt(partition)), k -> new ArrayList<>(1))
                    .add(e.getValue());
        }
        return map;
    }
}
