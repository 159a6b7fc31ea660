package com.acme.clickstream.flink.source;

import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.RawSessionRecord;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka source. */
public final class SessionSources {
    private SessionSources() {}

    /**
     * The sessions topic, read committed. The offsets are owned by the checkpoints (restored with the sink's
     * transactions); they are also committed to the consumer group on each completed checkpoint, which only shows
     * the lag and is where a start without any checkpoint begins (earliest when the group has none).
     */
    @SuppressWarnings("deprecation") // OffsetResetStrategy: the connector's API for kafka-clients 4 still takes it
    public static KafkaSource<RawSessionRecord> kafka(SinkJobConfig config) {
        return builder(config)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .build();
    }

    /** The common settings; the benchmark reads the same way, bounded. */
    public static KafkaSourceBuilder<RawSessionRecord> builder(SinkJobConfig config) {
        return KafkaSource.<RawSessionRecord>builder()
                // Authentication and broker verification first: the source's own settings below must win.
                .setProperties(config.kafkaSecurity().properties())
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.topic())
                .setGroupId(config.groupId())
                .setClientIdPrefix(config.groupId())
                .setDeserializer(new RawRecordDeserializer())
                // KafkaSource sets no isolation level: without it, records of aborted sessionizer transactions
                // (exactly_once_v2) would be read and become rows.
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                // New partitions, or the topic itself when it is created after the job started, within 30 s.
                .setProperty("partition.discovery.interval.ms", "30000")
                .setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }
}
