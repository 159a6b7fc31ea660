package com.acme.clickstream.flink.model;

import java.math.BigDecimal;
import java.time.Instant;

/** One row of the table {@code sessions} (schema V1), field for field the contract's session fields. */
public record SessionRow(
        String sessionId,
        String userId,
        Instant sessionStart,
        Instant sessionEnd,
        long durationMs,
        int eventCount,
        int pageViews,
        int purchases,
        BigDecimal revenue,
        String landingPage,
        String exitPage,
        String landingCategory,
        String country,
        String segment,
        String utmSource,
        String utmMedium,
        String utmCampaign,
        boolean isBounce,
        Instant closedAt) {}
