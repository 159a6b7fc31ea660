package com.acme.clickstream.sessionizer.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * The REST API: forwarding of interactive queries to the instance that owns a user's partition, and the bounds
 * of the KPI queries (each one is a query on the primary the sink writes to).
 */
@ConfigMapping(prefix = "sessionizer.api")
public interface ApiConfig {

    /** How long a forwarded open-sessions query may take before the caller gets 503. */
    @WithDefault("PT5S")
    @WithConverter(DurationConverters.Positive.class)
    Duration forwardTimeout();

    /** Retry-After (seconds) sent with 503 while Kafka Streams rebalances or PostgreSQL is down. */
    @WithDefault("2")
    int retryAfterSeconds();

    /** The widest range of UTC days one KPI request may ask for (from and to inclusive). */
    @WithDefault("366")
    @WithConverter(IntConverters.Positive.class)
    int maxDays();

    /**
     * The most rows one KPI list may hold (the upper bound of its {@code limit}): channels are keyed by the
     * producers' utm_source, so their number per day is not ours to bound.
     */
    @WithDefault("10000")
    @WithConverter(IntConverters.Positive.class)
    int maxRows();
}
