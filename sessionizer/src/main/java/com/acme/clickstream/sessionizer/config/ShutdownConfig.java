package com.acme.clickstream.sessionizer.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** How the instance stops (see {@code StreamsShutdown}). */
@ConfigMapping(prefix = "sessionizer.shutdown")
public interface ShutdownConfig {

    /**
     * The longest wait for Kafka Streams to close on shutdown: end the open transaction, flush the stores and write
     * their checkpoint files, which spare a full restore from the changelogs at the next start under exactly-once.
     * With the broker up this takes seconds; past this bound the process exits anyway (exactly-once keeps the
     * output right, only the next start restores more). The Kubernetes termination grace period must exceed it.
     */
    @WithDefault("PT30S")
    @WithConverter(DurationConverters.Positive.class)
    Duration closeTimeout();
}
