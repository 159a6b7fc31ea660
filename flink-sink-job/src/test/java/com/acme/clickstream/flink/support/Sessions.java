package com.acme.clickstream.flink.support;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import com.acme.clickstream.flink.model.SessionRow;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Realistic sessions of the contract, deterministic from a number, as rows and as the topic's JSON. */
public final class Sessions {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2026-11-24T08:00:00.000Z");
    private static final DateTimeFormatter RFC3339_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private Sessions() {}

    /** Session {@code i} of a run named {@code prefix}: ids are unique per (prefix, i). */
    public static SessionRow row(String prefix, int i) {
        String user = prefix + "-u" + (i % 37);
        Instant start = BASE.plus(i * 7L, ChronoUnit.MINUTES).plusMillis(i * 13L % 1000);
        int events = 1 + i % 9;
        boolean bounce = events == 1;
        int purchases = i % 5 == 0 && events > 2 ? 1 : 0;
        int pageViews = Math.min(events - purchases, i % 4 == 3 ? 0 : 1 + i % 3);
        Instant end = bounce ? start : start.plusMillis(1_000L * (30 + i % 600) + i % 997);
        BigDecimal revenue = purchases == 0 ? new BigDecimal("0.00") : new BigDecimal(i).add(new BigDecimal("0.99"))
                .setScale(2);
        boolean campaign = i % 3 == 0;
        return new SessionRow(
                user + "-" + start.toEpochMilli(),
                user,
                start,
                end,
                end.toEpochMilli() - start.toEpochMilli(),
                events,
                pageViews,
                purchases,
                revenue,
                pageViews == 0 ? null : "/p/" + (i % 11),
                pageViews == 0 ? null : "/p/" + (i % 13) + "?ü=" + i,
                pageViews == 0 || i % 2 == 0 ? null : "category-" + (i % 6),
                i % 7 == 0 ? null : "DE",
                i % 7 == 0 ? null : "segment-" + (i % 3),
                campaign ? "newsletter" : null,
                campaign ? "email" : null,
                campaign && i % 2 == 0 ? "black-friday" : null,
                bounce,
                end.plus(32, ChronoUnit.MINUTES));
    }

    public static List<SessionRow> rows(String prefix, int from, int to) {
        List<SessionRow> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add(row(prefix, i));
        }
        return rows;
    }

    /** The topic's JSON of a session: exactly the contract's fields, snake_case, RFC 3339 UTC with millis. */
    public static ObjectNode json(SessionRow s) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("session_id", s.sessionId());
        o.put("user_id", s.userId());
        o.put("session_start", RFC3339_MILLIS.format(s.sessionStart()));
        o.put("session_end", RFC3339_MILLIS.format(s.sessionEnd()));
        o.put("duration_ms", s.durationMs());
        o.put("event_count", s.eventCount());
        o.put("page_views", s.pageViews());
        o.put("purchases", s.purchases());
        o.put("revenue", s.revenue());
        o.put("landing_page", s.landingPage());
        o.put("exit_page", s.exitPage());
        o.put("landing_category", s.landingCategory());
        o.put("country", s.country());
        o.put("segment", s.segment());
        o.put("utm_source", s.utmSource());
        o.put("utm_medium", s.utmMedium());
        o.put("utm_campaign", s.utmCampaign());
        o.put("is_bounce", s.isBounce());
        o.put("closed_at", RFC3339_MILLIS.format(s.closedAt()));
        return o;
    }

    public static byte[] bytes(SessionRow s) {
        return json(s).toString().getBytes(StandardCharsets.UTF_8);
    }
}
