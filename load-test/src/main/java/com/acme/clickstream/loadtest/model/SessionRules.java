package com.acme.clickstream.loadtest.model;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * The sessionizer settings of the contract that decide which sessions exist. Read from the same
 * environment variables as the service ({@code SESSIONIZER_INACTIVITY_GAP} etc.) so that the load
 * test and the service agree without extra flags.
 *
 * @param dayBoundaryZone null = rule off
 */
public record SessionRules(Duration inactivityGap, Duration maxDuration, Duration grace, Duration dedupWindow,
                           Duration maxFutureSkew, boolean splitOnCampaign, ZoneId dayBoundaryZone) {

    public static SessionRules defaults() {
        return new SessionRules(Duration.ofMinutes(30), Duration.ofHours(12), Duration.ofMinutes(2),
                Duration.ofHours(1), Duration.ofHours(1), false, null);
    }

    public static SessionRules fromEnv() {
        return fromEnv(System.getenv());
    }

    public static SessionRules fromEnv(Map<String, String> env) {
        SessionRules d = defaults();
        return new SessionRules(
                duration(env, "SESSIONIZER_INACTIVITY_GAP", d.inactivityGap),
                duration(env, "SESSIONIZER_MAX_DURATION", d.maxDuration),
                duration(env, "SESSIONIZER_GRACE", d.grace),
                duration(env, "SESSIONIZER_DEDUP_WINDOW", d.dedupWindow),
                duration(env, "SESSIONIZER_MAX_FUTURE_SKEW", d.maxFutureSkew),
                Optional.ofNullable(env.get("SESSIONIZER_SPLIT_ON_CAMPAIGN")).map(String::trim)
                        .map(Boolean::parseBoolean).orElse(d.splitOnCampaign),
                Optional.ofNullable(env.get("SESSIONIZER_DAY_BOUNDARY_ZONE")).map(String::trim)
                        .filter(s -> !s.isEmpty()).map(ZoneId::of).orElse(null));
    }

    private static Duration duration(Map<String, String> env, String name, Duration dflt) {
        String v = env.get(name);
        return v == null || v.isBlank() ? dflt : Duration.parse(v.trim());
    }

    /** Event time after a session's last event at which it is final: gap + grace. */
    public long closeAfterMs() {
        return inactivityGap.toMillis() + grace.toMillis();
    }

    public SessionRules withInactivityGap(Duration d) {
        return new SessionRules(d, maxDuration, grace, dedupWindow, maxFutureSkew, splitOnCampaign, dayBoundaryZone);
    }

    public SessionRules withMaxDuration(Duration d) {
        return new SessionRules(inactivityGap, d, grace, dedupWindow, maxFutureSkew, splitOnCampaign, dayBoundaryZone);
    }

    public SessionRules withGrace(Duration d) {
        return new SessionRules(inactivityGap, maxDuration, d, dedupWindow, maxFutureSkew, splitOnCampaign, dayBoundaryZone);
    }

    public SessionRules withDedupWindow(Duration d) {
        return new SessionRules(inactivityGap, maxDuration, grace, d, maxFutureSkew, splitOnCampaign, dayBoundaryZone);
    }

    public SessionRules withSplitOnCampaign(boolean b) {
        return new SessionRules(inactivityGap, maxDuration, grace, dedupWindow, maxFutureSkew, b, dayBoundaryZone);
    }

    public SessionRules withDayBoundaryZone(ZoneId z) {
        return new SessionRules(inactivityGap, maxDuration, grace, dedupWindow, maxFutureSkew, splitOnCampaign, z);
    }
}
