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
    @WithConverter(NonNegativeInt.class)
    int maxReplacements();

    /** The window {@link #maxReplacements()} counts in. */
    @WithDefault("PT10M")
    @WithConverter(DurationConverters.Positive.class)
    Duration replacementWindow();

    /** An int of at least 0, so that a negative budget stops the start with the setting's name. */
    final class NonNegativeInt implements org.eclipse.microprofile.config.spi.Converter<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer convert(String value) {
            int v = Integer.parseInt(value.trim());
            if (v < 0) {
                throw new IllegalArgumentException("must be at least 0, was " + v);
            }
            return v;
        }
    }
}
