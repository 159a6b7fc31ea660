package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.errors.StreamsException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The partition count of a source topic. The validate processor needs it to tell whether a record keyed by its user
 * arrived on its user's partition (Kafka's default partitioner over the key): a producer with another partitioner
 * (librdkafka's default, for one, hashes keys with CRC32) or an explicit partition puts a correctly keyed record on
 * another partition, and that record must take the repartition topic like a mis-keyed one, or the user's events
 * would be sessionized by two tasks.
 */
@FunctionalInterface
public interface PartitionCounts {

    /**
     * @param appConfigs the application's Kafka Streams configuration (how to reach the broker)
     * @return the topic's partition count, at least 1
     */
    int partitions(String topic, Map<String, Object> appConfigs);

    /** Every topic with the same count: TopologyTestDriver's topics have one partition. */
    static PartitionCounts fixed(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        return (topic, appConfigs) -> partitions;
    }

    /**
     * Asked of the broker with the application's own client settings (security included), once per topic and
     * process, when the first record of the topic is validated: not on the start path, and the broker is reachable
     * then (the record came from it). Kafka Streams itself stops on a changed partition count of a source topic
     * with a repartition topic, so the count cannot go stale while it runs.
     */
    static PartitionCounts fromBroker() {
        return new FromBroker(Duration.ofSeconds(30));
    }

    final class FromBroker implements PartitionCounts {
        private final Duration timeout;
        private final Map<String, Integer> known = new ConcurrentHashMap<>();

        FromBroker(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public int partitions(String topic, Map<String, Object> appConfigs) {
            return known.computeIfAbsent(topic, t -> describe(t, appConfigs));
        }

        private int describe(String topic, Map<String, Object> appConfigs) {
            try (Admin admin = Admin.create(adminConfig(appConfigs))) {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                return d.partitions().size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamsException("interrupted while learning the partition count of " + topic, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new StreamsException("cannot learn the partition count of topic " + topic + " (needed to route "
                        + "records keyed by their user to their user's partition): " + e, e);
            }
        }

        /** The application's client settings that an admin client knows, then Kafka Streams' admin. overrides. */
        static Map<String, Object> adminConfig(Map<String, Object> appConfigs) {
            Map<String, Object> admin = new HashMap<>();
            for (Map.Entry<String, Object> e : appConfigs.entrySet()) {
                if (AdminClientConfig.configNames().contains(e.getKey())) {
                    admin.put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<String, Object> e : appConfigs.entrySet()) {
                if (e.getKey().startsWith("admin.")) {
                    String name = e.getKey().substring("admin.".length());
                    if (AdminClientConfig.configNames().contains(name)) {
                        admin.put(name, e.getValue());
                    }
                }
            }
            admin.put(AdminClientConfig.CLIENT_ID_CONFIG, appConfigs.getOrDefault("application.id", "sessionizer")
                    + "-partition-count");
            return admin;
        }
    }
}
