package com.acme.clickstream.sessionizer.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/**
 * The session rules of the contract ("Sessions", configuration table), under their contract names.
 * Environment variables follow MicroProfile's mapping: {@code SESSIONIZER_INACTIVITY_GAP} etc.
 * The converters reject impossible values while the configuration is read, so that a bad value stops
 * the start with SmallRye's message naming the property, before any Kafka client exists.
 */
@ConfigMapping(prefix = "sessionizer")
public interface SessionRulesConfig {

    @WithDefault("PT30M")
    @WithConverter(DurationConverters.Positive.class)
    Duration inactivityGap();

    @WithDefault("PT12H")
    @WithConverter(DurationConverters.Positive.class)
    Duration maxDuration();

    @WithDefault("PT2M")
    @WithConverter(DurationConverters.NonNegative.class)
    Duration grace();

    @WithDefault("PT30S")
    @WithConverter(DurationConverters.Positive.class)
    Duration idleAdvanceAfter();

    @WithDefault("PT1H")
    @WithConverter(DurationConverters.NonNegative.class)
    Duration dedupWindow();

    @WithDefault("PT1H")
    @WithConverter(DurationConverters.Positive.class)
    Duration maxFutureSkew();

    @WithDefault("false")
    boolean splitOnCampaign();

    /** Empty (the default) switches the day-boundary rule off. */
    @WithConverter(ZoneIdConverter.class)
    Optional<ZoneId> dayBoundaryZone();
}
