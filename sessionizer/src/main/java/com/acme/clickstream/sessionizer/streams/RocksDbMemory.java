package com.acme.clickstream.sessionizer.streams;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.apache.kafka.streams.state.RocksDBConfigSetter;

import java.util.Map;

/**
 * One memory budget for every RocksDB store of the instance (all tasks, all threads): one block cache shared by
 * all stores, which also holds the index and filter blocks and is charged for the memtables through a shared write
 * buffer manager. Without it each store instance gets its own 50 MB block cache and up to 3 x 16 MB memtables, so
 * memory grows with the number of partitions the instance owns.
 *
 * <p>Sizing: {@code sessionizer.rocksdb.memory.bytes} (default 256 MiB) caps block cache + memtables; half of it
 * may be memtables ({@code sessionizer.rocksdb.memtable.share}, default 0.5). Give the container that budget on top
 * of the heap, plus about 10 % for RocksDB's own overhead. Half, because the memtables' share decides how small the
 * flushed files are: with a quarter of 128 MiB, the write buffer manager flushed the stores' memtables at a few MiB
 * each, and compacting the many small files cost three times the CPU (the sessionizer README, "Memtables").
 */
@io.quarkus.runtime.annotations.RegisterForReflection
public final class RocksDbMemory implements RocksDBConfigSetter {

    public static final String MEMORY_BYTES = "sessionizer.rocksdb.memory.bytes";
    public static final String MEMTABLE_SHARE = "sessionizer.rocksdb.memtable.share";
    static final long DEFAULT_MEMORY_BYTES = 256L << 20;
    static final double DEFAULT_MEMTABLE_SHARE = 0.5;
    /** Memtable size per store: small, since many stores share the budget and flush into the shared cache. */
    private static final long MEMTABLE_BYTES = 8L << 20;
    /** The dedup store's memtable bloom filter, as a share of its memtable (0.8 MiB of 8 MiB). */
    static final double MEMTABLE_BLOOM_RATIO = 0.1;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long budget;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long memory = longSetting(configs, MEMORY_BYTES, DEFAULT_MEMORY_BYTES);
        double share = doubleSetting(configs, MEMTABLE_SHARE, DEFAULT_MEMTABLE_SHARE);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (RocksDbMemory.class) {
            if (cache == null) {
                budget = memory;
                // High-priority pool for index and filter blocks: they stay cached while data blocks come and go.
                cache = new LRUCache(memory, -1, false, 0.1);
                writeBufferManager = new WriteBufferManager((long) (memory * share), cache);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBufferManager);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        if (SessionizerTopology.DEDUP_IDS_STORE.equals(storeName)) {
            // Nearly every lookup here misses (a first copy): a bloom filter over the memtable's whole keys answers
            // most of them without a search of its skip list (sessionizer README, "Lookups of profiles and pages;
            // a memtable bloom filter for the dedup store").
            options.setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);
            options.setMemtableWholeKeyFiltering(true);
        }
        options.setWriteBufferSize(MEMTABLE_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the instance: never closed here.
    }

    /** The budget in force (the first configured value: one per JVM), 0 before any store opened. */
    public static synchronized long budgetBytes() {
        return budget;
    }

    private static long longSetting(Map<String, Object> configs, String name, long fallback) {
        Object v = configs.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.toString().trim());
            if (n < (16L << 20)) {
                throw new IllegalArgumentException(name + " must be at least 16777216 (16 MiB), was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of bytes, was " + v);
        }
    }

    private static double doubleSetting(Map<String, Object> configs, String name, double fallback) {
        Object v = configs.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.toString().trim());
            if (!(d > 0 && d < 1)) {
                throw new IllegalArgumentException(name + " must be between 0 and 1 (exclusive), was " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number between 0 and 1, was " + v);
        }
    }
}
