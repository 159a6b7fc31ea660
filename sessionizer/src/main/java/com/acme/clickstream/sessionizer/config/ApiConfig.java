package com.acme.clickstream.sessionizer.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** The REST API: forwarding of interactive queries to the instance that owns a user's partition. */
@ConfigMapping(prefix = "sessionizer.api")
public interface ApiConfig {

    /** How long a forwarded open-sessions query may take before the caller gets 503. */
    @WithDefault("PT5S")
    @WithConverter(DurationConverters.Positive.class)
    Duration forwardTimeout();

    /** Retry-After (seconds) sent with 503 while Kafka Streams rebalances or PostgreSQL is down. */
    @WithDefault("2")
    int retryAfterSeconds();
}
