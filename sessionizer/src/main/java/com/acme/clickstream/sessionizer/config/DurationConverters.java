package com.acme.clickstream.sessionizer.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * ISO-8601 durations with a sign rule. SmallRye Config wraps a converter's exception in a message
 * that names the property and the raw value, which is what an operator needs to fix a bad setting.
 */
public final class DurationConverters {
    private DurationConverters() {}

    static Duration parse(String value) {
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 duration such as PT30M: " + value);
        }
    }

    public static final class Positive implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive, was " + value.trim());
            }
            return d;
        }
    }

    public static final class NonNegative implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = parse(value);
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative, was " + value.trim());
            }
            return d;
        }
    }
}
