package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A session of the contract ("Session fields"): the value of clickstream.sessions and a row of the table.
 * Open sessions (interactive queries) have a null closed_at.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"session_id", "user_id", "session_start", "session_end", "duration_ms", "event_count",
        "page_views", "purchases", "revenue", "landing_page", "exit_page", "landing_category", "country", "segment",
        "utm_source", "utm_medium", "utm_campaign", "is_bounce", "closed_at"})
public record Session(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("session_start") @JsonSerialize(using = UtcMillisInstant.Serializer.class)
        @JsonDeserialize(using = UtcMillisInstant.Deserializer.class) Instant sessionStart,
        @JsonProperty("session_end") @JsonSerialize(using = UtcMillisInstant.Serializer.class)
        @JsonDeserialize(using = UtcMillisInstant.Deserializer.class) Instant sessionEnd,
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
        @JsonProperty("closed_at") @JsonSerialize(using = UtcMillisInstant.Serializer.class)
        @JsonDeserialize(using = UtcMillisInstant.Deserializer.class) Instant closedAt) {
}
