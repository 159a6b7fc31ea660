package com.acme.clickstream.sessionizer.app;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.acme.clickstream.sessionizer.streams.InputLag;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The consumer lag of the input partitions, read from the metrics of Kafka Streams' main consumers: the
 * fetch-manager metric {@code records-lag} (group {@code consumer-fetch-manager-metrics}, tags {@code client-id},
 * {@code topic}, {@code partition}). The consumer records it whenever it hands out the records of a fetch
 * (also an empty one): the last stable offset ({@code read_committed}, as under exactly-once) minus the position.
 * It is absent until the partition's first fetch on this instance, and goes away when the partition is revoked.
 * While a partition is paused (Streams' buffer full) it keeps its last value, which is then above 0.
 *
 * <p>The {@link KafkaStreams} instance arrives with the event Quarkus fires just before starting it: injecting
 * it would be circular (it is built from the topology, which is built with this object).
 */
@Singleton
public class KafkaStreamsInputLag implements InputLag {

    static final String GROUP = "consumer-fetch-manager-metrics";
    static final String NAME = "records-lag";
    /** The snapshot of metric objects is rebuilt this often (metric values are read live). */
    private static final long REFRESH_NANOS = 1_000_000_000L;
    /** ... and on a miss, at most this often. */
    private static final long REFRESH_ON_MISS_NANOS = 100_000_000L;
    private static final Logger LOG = Logger.getLogger(KafkaStreamsInputLag.class);

    private volatile KafkaStreams streams;
    private volatile Map<TopicPartition, List<Metric>> byPartition = Map.of();
    private volatile long refreshedAt;
    private volatile boolean refreshedOnce;

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
        List<Metric> metrics = byPartition.get(partition);
        if (!refreshedOnce || now - refreshedAt > REFRESH_NANOS
                || (metrics == null && now - refreshedAt > REFRESH_ON_MISS_NANOS)) {
            metrics = refresh(ks, now).get(partition);
        }
        if (metrics == null) {
            return OptionalLong.empty();
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

    private synchronized Map<TopicPartition, List<Metric>> refresh(KafkaStreams ks, long now) {
        Map<TopicPartition, List<Metric>> map = new HashMap<>();
        try {
            for (Map.Entry<MetricName, ? extends Metric> e : ks.metrics().entrySet()) {
                MetricName name = e.getKey();
                if (!NAME.equals(name.name()) || !GROUP.equals(name.group())) {
                    continue;
                }
                String client = name.tags().get("client-id");
                String topic = name.tags().get("topic");
                String partition = name.tags().get("partition");
                if (client == null || topic == null || partition == null || !isMainConsumer(client)) {
                    continue;
                }
                map.computeIfAbsent(new TopicPartition(topic, Integer.parseInt(partition)), k -> new ArrayList<>(1))
                        .add(e.getValue());
            }
        } catch (RuntimeException e) {
            // Never fail a punctuation because of metrics: unknown lag means "judge from processed records".
            LOG.warnf(e, "cannot read the consumer lag from the Kafka Streams metrics");
        }
        byPartition = map;
        refreshedAt = now;
        refreshedOnce = true;
        return map;
    }

    /** {@code <client.id>-StreamThread-<n>-consumer}, not the restore or global consumer. */
    static boolean isMainConsumer(String clientId) {
        return clientId.contains("-StreamThread-") && clientId.endsWith("-consumer")
                && !clientId.endsWith("-restore-consumer");
    }
}
