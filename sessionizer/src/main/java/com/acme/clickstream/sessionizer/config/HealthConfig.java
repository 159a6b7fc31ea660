package com.acme.clickstream.sessionizer.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** Readiness of an instance (see {@code KafkaStreamsRunningCheck}). */
@ConfigMapping(prefix = "sessionizer.health")
public interface HealthConfig {

    /**
     * How long an instance that has run stays ready while its Kafka Streams client rebalances. A rebalance of
     * the group moves every instance through REBALANCING at once; were that unready, every replica would leave
     * the Service together. A rebalance that lasts longer is a fault, and the instance leaves the Service.
     */
    @WithDefault("PT2M")
    @WithConverter(DurationConverters.Positive.class)
    Duration rebalanceTolerance();
}
