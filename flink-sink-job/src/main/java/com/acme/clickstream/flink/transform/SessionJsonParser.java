package com.acme.clickstream.flink.transform;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import com.acme.clickstream.flink.model.SessionRow;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Maps a session JSON value of the sessions topic (contract: "Session fields") to a {@link SessionRow}, or says why
 * it is not a session of the contract. Pure and thread-safe; it never throws on content.
 *
 * <p>What is checked is what would otherwise fail the sink's transaction (and so the job, over and over) or store a
 * row that breaks the contract: the types and ranges of every column, U+0000 in text (PostgreSQL text cannot hold
 * it), and the contract's own relations between fields ({@code duration_ms = session_end - session_start},
 * {@code is_bounce = (event_count = 1)}, page counters and pages, revenue only with purchases). Unknown fields are
 * ignored (a field added to the contract must not turn every session into a dead letter); an absent nullable field
 * is null. Timestamps are RFC 3339 with an offset ({@code Z} in the contract), kept to the millisecond.
 */
public final class SessionJsonParser {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final BigDecimal MAX_REVENUE = new BigDecimal("1E16");
    private static final int MAX_REASON_VALUE = 80;

    private SessionJsonParser() {}

    /** The outcome: a row, or the reason the record is not a session (with its session_id when it has one). */
    public sealed interface Result permits Valid, Invalid {}

    public record Valid(SessionRow row) implements Result {}

    public record Invalid(String sessionId, String reason) implements Result {}

    public static Result parse(byte[] value) {
        if (value == null) {
            return new Invalid(null, "null value (a tombstone; the sessions topic carries none)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (JacksonException e) {
            return new Invalid(null, "not UTF-8 JSON: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            return new Invalid(null, "unreadable: " + clip(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return new Invalid(null, "not a JSON object");
        }
        String sessionId = null;
        JsonNode idNode = root.get("session_id");
        if (idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty()
                && idNode.textValue().indexOf('\0') < 0) {
            sessionId = idNode.textValue();
        }
        try {
            return new Valid(toRow(root));
        } catch (Reject r) {
            return new Invalid(sessionId, r.getMessage());
        }
    }

    private static SessionRow toRow(JsonNode o) throws Reject {
        String sessionId = requiredText(o, "session_id");
        String userId = requiredText(o, "user_id");
        Instant start = timestamp(o, "session_start");
        Instant end = timestamp(o, "session_end");
        long durationMs = longValue(o, "duration_ms");
        int eventCount = intValue(o, "event_count");
        int pageViews = intValue(o, "page_views");
        int purchases = intValue(o, "purchases");
        BigDecimal revenue = revenue(o);
        String landingPage = optionalText(o, "landing_page");
        String exitPage = optionalText(o, "exit_page");
        String landingCategory = optionalText(o, "landing_category");
        String country = optionalText(o, "country");
        String segment = optionalText(o, "segment");
        String utmSource = optionalText(o, "utm_source");
        String utmMedium = optionalText(o, "utm_medium");
        String utmCampaign = optionalText(o, "utm_campaign");
        boolean isBounce = bool(o, "is_bounce");
        Instant closedAt = timestamp(o, "closed_at");

        if (end.isBefore(start)) {
            throw new Reject("session_end " + end + " is before session_start " + start);
        }
        long expectedDuration = Duration.between(start, end).toMillis();
        if (durationMs != expectedDuration) {
            throw new Reject("duration_ms " + durationMs + " is not session_end - session_start = " + expectedDuration);
        }
        if (eventCount < 1) {
            throw new Reject("event_count " + eventCount + " is below 1: a session has at least one event");
        }
        if (pageViews < 0 || purchases < 0 || (long) pageViews + purchases > eventCount) {
            throw new Reject("page_views " + pageViews + " and purchases " + purchases
                    + " must be >= 0 and together at most event_count " + eventCount);
        }
        if (isBounce != (eventCount == 1)) {
            throw new Reject("is_bounce " + isBounce + " contradicts event_count " + eventCount);
        }
        if (purchases == 0 && revenue.signum() != 0) {
            throw new Reject("revenue " + revenue.toPlainString() + " without purchases");
        }
        if ((pageViews == 0) != (landingPage == null) || (pageViews == 0) != (exitPage == null)) {
            throw new Reject("landing_page and exit_page must be set exactly when page_views > 0 (page_views "
                    + pageViews + ")");
        }
        if (landingCategory != null && landingPage == null) {
            throw new Reject("landing_category without landing_page");
        }
        if (utmSource == null && (utmMedium != null || utmCampaign != null)) {
            throw new Reject("utm_medium/utm_campaign without utm_source");
        }
        return new SessionRow(sessionId, userId, start, end, durationMs, eventCount, pageViews, purchases, revenue,
                landingPage, exitPage, landingCategory, country, segment, utmSource, utmMedium, utmCampaign, isBounce,
                closedAt);
    }

    private static JsonNode present(JsonNode o, String field) throws Reject {
        JsonNode node = o.get(field);
        if (node == null || node.isNull()) {
            throw new Reject("field '" + field + "' is missing or null");
        }
        return node;
    }

    private static String requiredText(JsonNode o, String field) throws Reject {
        JsonNode node = present(o, field);
        if (!node.isTextual() || node.textValue().isEmpty()) {
            throw new Reject("field '" + field + "' must be a non-empty string, got " + describe(node));
        }
        return text(field, node.textValue());
    }

    private static String optionalText(JsonNode o, String field) throws Reject {
        JsonNode node = o.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new Reject("field '" + field + "' must be a string or null, got " + describe(node));
        }
        return text(field, node.textValue());
    }

    private static String text(String field, String value) throws Reject {
        if (value.indexOf('\0') >= 0) {
            throw new Reject("field '" + field + "' contains U+0000, which PostgreSQL text cannot store");
        }
        return value;
    }

    private static Instant timestamp(JsonNode o, String field) throws Reject {
        JsonNode node = present(o, field);
        if (!node.isTextual()) {
            throw new Reject("field '" + field + "' must be an RFC 3339 string, got " + describe(node));
        }
        try {
            return OffsetDateTime.parse(node.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                    .truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new Reject("field '" + field + "' is not an RFC 3339 date-time with offset: " + describe(node));
        }
    }

    private static long longValue(JsonNode o, String field) throws Reject {
        JsonNode node = present(o, field);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new Reject("field '" + field + "' must be an integer, got " + describe(node));
        }
        long value = node.longValue();
        if (value < 0) {
            throw new Reject("field '" + field + "' must be >= 0, got " + value);
        }
        return value;
    }

    private static int intValue(JsonNode o, String field) throws Reject {
        JsonNode node = present(o, field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new Reject("field '" + field + "' must be a 32-bit integer, got " + describe(node));
        }
        return node.intValue();
    }

    private static boolean bool(JsonNode o, String field) throws Reject {
        JsonNode node = present(o, field);
        if (!node.isBoolean()) {
            throw new Reject("field '" + field + "' must be true or false, got " + describe(node));
        }
        return node.booleanValue();
    }

    private static BigDecimal revenue(JsonNode o) throws Reject {
        JsonNode node = present(o, "revenue");
        if (!node.isNumber()) {
            throw new Reject("field 'revenue' must be a JSON number, got " + describe(node));
        }
        BigDecimal value = node.decimalValue();
        if (value.signum() < 0 || value.compareTo(MAX_REVENUE) >= 0 || value.stripTrailingZeros().scale() > 2) {
            throw new Reject("field 'revenue' must be >= 0, below 10^16 with at most 2 decimals (numeric(18,2)), got "
                    + clip(value.toPlainString()));
        }
        return value.setScale(2);
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().name().toLowerCase() + " " + clip(node.toString());
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replace('\0', '?');
        return clean.length() <= MAX_REASON_VALUE ? clean : clean.substring(0, MAX_REASON_VALUE) + "...";
    }

    /** Control flow of the checks; carries the reason. */
    private static final class Reject extends Exception {
        private static final long serialVersionUID = 1L;

        Reject(String reason) {
            super(reason, null, false, false);
        }
    }
}
