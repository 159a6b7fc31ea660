package com.acme.clickstream.sessionizer.rest;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A row of table {@code sessions}, with the contract's field names; timestamps RFC 3339 UTC with millis. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
public record FinishedSession(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("session_start") String sessionStart,
        @JsonProperty("session_end") String sessionEnd,
        @JsonProperty("duration_ms") long durationMs,
        @JsonProperty("event_count") int eventCount,
        @JsonProperty("page_views") int pageViews,
        @JsonProperty("purchases") int purchases,
        @JsonProperty("revenue") BigDecimal revenue,
        @JsonProperty("landing_page") String landingPage,
        @JsonProperty("exit_page") String exitPage,
        @JsonProperty("landing_category") String landingCategory,
        @JsonProperty("country") String country,
        @JsonProperty("segment") String segment,
        @JsonProperty("utm_source") String utmSource,
        @JsonProperty("utm_medium") String utmMedium,
        @JsonProperty("utm_campaign") String utmCampaign,
        @JsonProperty("is_bounce") boolean isBounce,
        @JsonProperty("closed_at") String closedAt) {}
