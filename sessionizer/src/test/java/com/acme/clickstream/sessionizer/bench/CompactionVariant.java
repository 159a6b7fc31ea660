package com.acme.clickstream.sessionizer.bench;

import com.acme.clickstream.sessionizer.streams.RocksDbMemory;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompactionOptionsUniversal;
import org.rocksdb.CompactionStyle;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;

import java.util.Map;

/**
 * The service's RocksDB settings with one compaction setting changed, for measuring it in {@link Capacity}:
 * {@code -Dcapacity.streams.rocksdb.config.setter=com.acme.clickstream.sessionizer.bench.CompactionVariant
 * -Dcapacity.rocksdb.variant=<name>} (one JVM per variant: the RocksDB budget is shared by every store of the JVM).
 * Variants: {@code size-amp-400} (universal compaction, the default of Kafka Streams, with a full compaction only
 * past 400 % space amplification instead of 200 %), {@code level} (leveled compaction, dynamic level sizes),
 * {@code service} (none changed). {@code -Dcapacity.rocksdb.info-log=true} also lets RocksDB write its info log
 * (Kafka Streams keeps only errors), whose compaction events {@link Capacity} sums per store.
 */
public final class CompactionVariant implements RocksDBConfigSetter {

    private final RocksDbMemory memory = new RocksDbMemory();

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        memory.setConfig(storeName, options, configs);
        String variant = System.getProperty("capacity.rocksdb.variant", "");
        if (Boolean.getBoolean("capacity.rocksdb.info-log")) {
            options.setInfoLogLevel(InfoLogLevel.INFO_LEVEL);
        }
        switch (variant) {
            case "service" -> {
            }
            case "size-amp-400" -> {
                CompactionOptionsUniversal universal = new CompactionOptionsUniversal();
                universal.setMaxSizeAmplificationPercent(400);
                options.setCompactionOptionsUniversal(universal);
            }
            case "level" -> {
                options.setCompactionStyle(CompactionStyle.LEVEL);
                options.setLevelCompactionDynamicLevelBytes(true);
            }
            default -> throw new IllegalArgumentException("capacity.rocksdb.variant: unknown " + variant);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        memory.close(storeName, options);
    }
}
