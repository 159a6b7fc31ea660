package com.acme.clickstream.loadtest;

import java.time.Duration;
import java.time.ZoneId;

import com.acme.clickstream.loadtest.model.SessionRules;
import picocli.CommandLine.Option;

/** The sessionizer's settings as options; each defaults to its SESSIONIZER_* environment variable, then to the contract. */
public final class SessionRuleOptions {
    @Option(names = "--inactivity-gap", description = "default: $SESSIONIZER_INACTIVITY_GAP or PT30M")
    Duration inactivityGap;
    @Option(names = "--max-duration", description = "default: $SESSIONIZER_MAX_DURATION or PT12H")
    Duration maxDuration;
    @Option(names = "--grace", description = "default: $SESSIONIZER_GRACE or PT2M")
    Duration grace;
    @Option(names = "--dedup-window", description = "default: $SESSIONIZER_DEDUP_WINDOW or PT1H")
    Duration dedupWindow;
    @Option(names = "--max-future-skew", description = "default: $SESSIONIZER_MAX_FUTURE_SKEW or PT1H")
    Duration maxFutureSkew;
    @Option(names = "--split-on-campaign", arity = "1", description = "default: $SESSIONIZER_SPLIT_ON_CAMPAIGN or false")
    Boolean splitOnCampaign;
    @Option(names = "--day-boundary-zone", description = "IANA zone; default: $SESSIONIZER_DAY_BOUNDARY_ZONE or off")
    String dayBoundaryZone;

    public SessionRules rules() {
        SessionRules env = SessionRules.fromEnv();
        return new SessionRules(
                inactivityGap != null ? inactivityGap : env.inactivityGap(),
                maxDuration != null ? maxDuration : env.maxDuration(),
                grace != null ? grace : env.grace(),
                dedupWindow != null ? dedupWindow : env.dedupWindow(),
                maxFutureSkew != null ? maxFutureSkew : env.maxFutureSkew(),
                splitOnCampaign != null ? splitOnCampaign : env.splitOnCampaign(),
                dayBoundaryZone == null ? env.dayBoundaryZone() : dayBoundaryZone.isBlank() ? null : ZoneId.of(dayBoundaryZone));
    }
}
