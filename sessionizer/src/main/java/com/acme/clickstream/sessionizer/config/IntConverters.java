package com.acme.clickstream.sessionizer.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Ints with a lower bound, as {@link DurationConverters} does for durations: a value below it stops the start with a
 * message naming the property and the raw value.
 */
public final class IntConverters {
    private IntConverters() {}

    static int atLeast(int min, String value) {
        int v = Integer.parseInt(value.trim());
        if (v < min) {
            throw new IllegalArgumentException("must be at least " + min + ", was " + v);
        }
        return v;
    }

    /** At least 1, so that a bound of 0 (no answer can hold anything) stops the start with the setting's name. */
    public static final class Positive implements Converter<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer convert(String value) {
            return atLeast(1, value);
        }
    }

    /** At least 0, so that a negative budget stops the start with the setting's name. */
    public static final class NonNegative implements Converter<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer convert(String value) {
            return atLeast(0, value);
        }
    }
}
