package com.acme.clickstream.sessionizer.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** What the instance does when a Kafka Streams stream thread dies of an exception (see {@code StreamThreadFailures}). */
@ConfigMapping(prefix = "sessionizer.stream-thread")
public interface StreamThreadConfig {

    /**
     * How many dead stream threads are replaced within {@link #replacementWindow()}. One failure more stops the
     * Kafka Streams client (state ERROR): liveness goes down and Kubernetes restarts the pod, with its back-off.
     * {@code 0} stops the client at the first failure, as Kafka Streams does without a handler.
     */
    @WithDefault("5")
    @WithConverter(IntConverters.NonNegative.class)
    int maxReplacements();

    /** The window {@link #maxReplacements()} counts in. */
    @WithDefault("PT10M")
    @WithConverter(DurationConverters.Positive.class)
    Duration replacementWindow();
}
