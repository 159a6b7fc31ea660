package com.acme.clickstream.sessionizer.rest;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Rows of the BI views (schema module, V2__bi_views.sql), named as their columns. */
public final class Kpis {
    private Kpis() {}

    @RegisterForReflection
    public record Daily(
            @JsonProperty("day") String day,
            @JsonProperty("sessions") long sessions,
            @JsonProperty("users") long users,
            @JsonProperty("bounce_rate") BigDecimal bounceRate,
            @JsonProperty("avg_duration_ms") long avgDurationMs,
            @JsonProperty("revenue") BigDecimal revenue,
            @JsonProperty("purchases") long purchases,
            @JsonProperty("page_views") long pageViews) {}

    @RegisterForReflection
    public record UserDaily(
            @JsonProperty("user_id") String userId,
            @JsonProperty("day") String day,
            @JsonProperty("sessions") long sessions,
            @JsonProperty("bounce_rate") BigDecimal bounceRate,
            @JsonProperty("avg_duration_ms") long avgDurationMs,
            @JsonProperty("revenue") BigDecimal revenue,
            @JsonProperty("purchases") long purchases,
            @JsonProperty("page_views") long pageViews) {}

    @RegisterForReflection
    public record LandingPage(
            @JsonProperty("day") String day,
            @JsonProperty("landing_page") String landingPage,
            @JsonProperty("landing_category") String landingCategory,
            @JsonProperty("sessions") long sessions,
            @JsonProperty("bounce_rate") BigDecimal bounceRate,
            @JsonProperty("revenue") BigDecimal revenue) {}

    @RegisterForReflection
    public record Channel(
            @JsonProperty("day") String day,
            @JsonProperty("channel") String channel,
            @JsonProperty("sessions") long sessions,
            @JsonProperty("users") long users,
            @JsonProperty("bounce_rate") BigDecimal bounceRate,
            @JsonProperty("revenue") BigDecimal revenue,
            @JsonProperty("purchases") long purchases) {}
}
