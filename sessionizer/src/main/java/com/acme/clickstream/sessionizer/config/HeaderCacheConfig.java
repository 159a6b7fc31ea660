package com.acme.clickstream.sessionizer.config;

import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** The users' state the sessionize step keeps on the heap between commits (README "Memory" has the sizing rule). */
@ConfigMapping(prefix = "sessionizer.header-cache")
public interface HeaderCacheConfig {

    /**
     * Headers (a user's open sessions and last final context) kept deserialized per task; past it the flush drops
     * clean ones down to half, and they are read back from RocksDB when their user's next event comes. Typically a
     * few hundred bytes each; lower it when the heap cannot hold this many for every task the instance may own.
     */
    @WithDefault("" + SessionizerTopology.DEFAULT_HEADER_CACHE) // one default for the service and the benchmark
    @WithConverter(IntConverters.Positive.class)
    int perTask();
}
