package com.acme.clickstream.sessionizer.streams;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * The session settings of the contract ("Sessions" / Configuration). Validated on construction so that
 * a bad configuration fails at startup, naming the MicroProfile Config property.
 */
public record SessionRules(Duration inactivityGap, Duration maxDuration, Duration grace, Duration idleAdvanceAfter,
                           Duration dedupWindow, Duration maxFutureSkew, boolean splitOnCampaign,
                           Optional<ZoneId> dayBoundaryZone) {

    public SessionRules {
        positive("sessionizer.inactivity-gap", inactivityGap);
        positive("sessionizer.max-duration", maxDuration);
        notNegative("sessionizer.grace", grace);
        positive("sessionizer.idle-advance-after", idleAdvanceAfter);
        notNegative("sessionizer.dedup-window", dedupWindow);
        positive("sessionizer.max-future-skew", maxFutureSkew);
        Objects.requireNonNull(dayBoundaryZone, "sessionizer.day-boundary-zone must not be null (use Optional.empty())");
    }

    public static SessionRules defaults() {
        return new SessionRules(Duration.ofMinutes(30), Duration.ofHours(12), Duration.ofMinutes(2),
                Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(1), false, Optional.empty());
    }

    public long gapMs() {
        return inactivityGap.toMillis();
    }

    public long maxDurationMs() {
        return maxDuration.toMillis();
    }

    public long graceMs() {
        return grace.toMillis();
    }

    /** A session whose last event has this ts is final once stream time reaches the returned value. */
    public long finalAt(long lastEventTs) {
        return lastEventTs + gapMs() + graceMs();
    }

    public SessionRules withSplitOnCampaign(boolean on) {
        return new SessionRules(inactivityGap, maxDuration, grace, idleAdvanceAfter, dedupWindow, maxFutureSkew, on,
                dayBoundaryZone);
    }

    public SessionRules withDayBoundaryZone(ZoneId zone) {
        return new SessionRules(inactivityGap, maxDuration, grace, idleAdvanceAfter, dedupWindow, maxFutureSkew,
                splitOnCampaign, Optional.ofNullable(zone));
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name + " must be set");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        if (millis(name, d) <= 0) {
            throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
        }
    }

    private static long millis(String name, Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is too large, was " + d);
        }
    }

    private static void notNegative(String name, Duration d) {
        Objects.requireNonNull(d, name + " must be set");
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        millis(name, d);
    }
}
