package com.acme.clickstream.loadtest.verify;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The contract's validity rules for a click event value, written independently of the sessionizer.
 * {@link #validate} returns either the event or the reason it is invalid.
 */
public final class EventValidator {
    public static final long MAX_EPOCH_MS = 253402300799999L;
    private static final BigDecimal AMOUNT_LIMIT = new BigDecimal("1E16");
    private static final String[] OPTIONAL_STRINGS = {"url", "referrer", "utm_source", "utm_medium", "utm_campaign", "user_agent"};
    private static final Pattern RFC3339 = Pattern.compile(
            // RFC 3339 5.6: "T" and "Z" may alternatively be lower case.
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?([Zz]|[+-]\\d{2}:\\d{2})");

    // Duplicate member names (RFC 8259 leaves their meaning undefined, Jackson would keep the last) make a record
    // invalid, at any depth: the contract's reading, and the service's.
    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            // Exact decimals for amount (a double would turn 0.1 + 0.2 into 0.30000000000000004).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private final long maxFutureSkewMs;

    public EventValidator(long maxFutureSkewMs) {
        this.maxFutureSkewMs = maxFutureSkewMs;
    }

    /** Outcome: exactly one of event and invalidReason is set, or neither for a null value (skipped). */
    public record Result(ClickEvent event, String invalidReason) {
        public boolean isNull() {
            return event == null && invalidReason == null;
        }
    }

    /**
     * @param wallClockMs the wall clock when the record is read; the future-skew rule is relative to it
     */
    public Result validate(byte[] value, long wallClockMs) {
        if (value == null) {
            return new Result(null, null);
        }
        String text = Jsonl.strictUtf8(value);
        if (text == null) {
            return invalid("value is not UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            return invalid("value is not JSON");
        }
        if (root == null || root.isMissingNode()) {
            return invalid("value is not JSON");
        }
        if (!root.isObject()) {
            return invalid("value is not a JSON object");
        }
        if (hasNul(root)) {
            return invalid("a string holds U+0000");
        }
        for (String[] req : new String[][] {{"event_id", "128"}, {"user_id", "256"}, {"type", null}}) {
            String reason = requiredStringProblem(root, req[0], req[1] == null ? Integer.MAX_VALUE : Integer.parseInt(req[1]));
            if (reason != null) {
                return invalid(reason);
            }
        }
        String eventId = root.get("event_id").asText();
        String userId = root.get("user_id").asText();
        String type = root.get("type").asText();
        JsonNode tsNode = root.get("ts");
        if (tsNode == null || tsNode.isNull()) {
            return invalid("ts is missing");
        }
        Long ts = parseTs(tsNode);
        if (ts == null) {
            return invalid("ts is not an RFC 3339 date-time or epoch milliseconds");
        }
        if (ts > wallClockMs + maxFutureSkewMs) {
            return invalid("ts is too far in the future");
        }
        for (String f : OPTIONAL_STRINGS) {
            JsonNode n = root.get(f);
            if (n != null && !n.isNull() && !n.isTextual()) {
                return invalid(f + " is not a string");
            }
            if (n != null && n.isTextual() && hasUnpairedSurrogate(n.asText())) {
                return invalid(f + " holds an unpaired surrogate escape");
            }
        }
        String pagePath = null;
        if ("page_view".equals(type)) {
            String url = text(root, "url");
            if (url == null) {
                return invalid("page_view without url");
            }
            pagePath = PagePath.of(url);
            if (pagePath == null) {
                return invalid("url is not a URI reference");
            }
        }
        BigDecimal amount = null;
        JsonNode a = root.get("amount");
        if (a != null && !a.isNull()) {
            if (!a.isNumber()) {
                return invalid("amount is not a number");
            }
            amount = a.decimalValue();
            // "at most 2 decimals" read numerically: 12.340 is 12.34 (trailing zeros carry no value)
            if (amount.signum() < 0 || amount.stripTrailingZeros().scale() > 2 || amount.compareTo(AMOUNT_LIMIT) >= 0) {
                return invalid("amount is negative, has more than 2 decimals or is not below 10^16");
            }
        }
        return new Result(new ClickEvent(eventId, userId, ts, type, pagePath, amount,
                utm(root, "utm_source"), utm(root, "utm_medium"), utm(root, "utm_campaign")), null);
    }

    private static Result invalid(String reason) {
        return new Result(null, reason);
    }

    /** Why a required string field is unusable (missing, not a string, empty, too long in code points), or null. */
    private static String requiredStringProblem(JsonNode root, String field, int maxCodePoints) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return field + " is missing";
        }
        if (!n.isTextual()) {
            return field + " is not a string";
        }
        String s = n.asText();
        if (s.isEmpty()) {
            return field + " is empty";
        }
        if (hasUnpairedSurrogate(s)) {
            // Cannot be written as UTF-8 or stored by PostgreSQL; fields the service never reads are not checked.
            return field + " holds an unpaired surrogate escape";
        }
        if (s.codePointCount(0, s.length()) > maxCodePoints) {
            return field + " is longer than " + maxCodePoints + " code points";
        }
        return null;
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String utm(JsonNode root, String field) {
        String s = text(root, field);
        return s == null || s.isEmpty() ? null : s;
    }

    /** Epoch ms of an RFC 3339 string (digits past ms truncated) or a JSON integer in range; else null. */
    static Long parseTs(JsonNode n) {
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                return null;
            }
            long ms = n.longValue();
            return ms >= 0 && ms <= MAX_EPOCH_MS ? ms : null;
        }
        if (!n.isTextual()) {
            return null;
        }
        return parseRfc3339(n.asText());
    }

    static Long parseRfc3339(String s) {
        Matcher m = RFC3339.matcher(s);
        if (!m.matches()) {
            return null;
        }
        try {
            String frac = m.group(7) == null ? "" : m.group(7);
            int millis = Integer.parseInt((frac + "000").substring(0, 3));
            LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    Integer.parseInt(m.group(6)), millis * 1_000_000);
            String off = m.group(8);
            ZoneOffset offset = off.equalsIgnoreCase("Z") ? ZoneOffset.UTC
                    : ZoneOffset.ofHoursMinutes(Integer.parseInt(off.substring(0, 3)),
                            (off.charAt(0) == '-' ? -1 : 1) * Integer.parseInt(off.substring(4, 6)));
            return local.toInstant(offset).toEpochMilli();
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasNul(JsonNode n) {
        if (n.isTextual()) {
            return n.asText().indexOf('\0') >= 0;
        }
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().indexOf('\0') >= 0 || hasNul(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (n.isArray()) {
            for (JsonNode c : n) {
                if (hasNul(c)) {
                    return true;
                }
            }
        }
        return false;
    }
}
