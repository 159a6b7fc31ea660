package com.acme.clickstream.sessionizer.streams;

import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-store options of the RocksDB config setter (the shared budget is checked by the ITs that run it). */
class RocksDbMemoryTest {

    @Test
    void onlyTheDedupStoreGetsAMemtableBloomFilter() {
        try (Options dedup = options(SessionizerTopology.DEDUP_IDS_STORE);
             Options sessions = options(SessionizerTopology.SESSIONS_STORE)) {
            assertThat(dedup.memtableWholeKeyFiltering()).isTrue();
            assertThat(dedup.memtablePrefixBloomSizeRatio()).isEqualTo(RocksDbMemory.MEMTABLE_BLOOM_RATIO);
            assertThat(sessions.memtableWholeKeyFiltering()).isFalse();
            assertThat(sessions.memtablePrefixBloomSizeRatio()).isZero();
            assertThat(dedup.writeBufferSize()).isEqualTo(sessions.writeBufferSize()).isEqualTo(8L << 20);
        }
    }

    private static Options options(String store) {
        Options options = new Options();
        options.setTableFormatConfig(new BlockBasedTableConfig());
        new RocksDbMemory().setConfig(store, options, Map.of());
        return options;
    }
}
