package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Applies every rule of the contract's "Click event" section. Never throws for bad input: every problem
 * becomes an {@link ValidationResult.Invalid}. Thread-safe (serdes are shared by stream threads).
 */
public final class EventValidator {

    static final int MAX_EVENT_ID_CODE_POINTS = 128;
    static final int MAX_USER_ID_CODE_POINTS = 256;
    private static final BigDecimal AMOUNT_LIMIT = BigDecimal.TEN.pow(16);
    private static final String[] OPTIONAL_STRINGS = {"url", "referrer", "utm_source", "utm_medium", "utm_campaign",
            "user_agent"};

    private final ObjectMapper mapper;
    private final long maxFutureSkewMs;

    public EventValidator(Duration maxFutureSkew) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
        // Duplicate keys make an event ambiguous ({"ts":1,"ts":2}): rejected as not_json, like trailing data.
        JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * @param value      the record value (not null)
     * @param nowMs      wall-clock time for the future-skew rule
     * @param checkSkew  false when re-reading an event that was validated before (repartition topic)
     */
    public ValidationResult validate(byte[] value, long nowMs, boolean checkSkew) {
        JsonNode root;
        if (isAsciiWithoutNul(value)) {
            // Plain ASCII is valid UTF-8, and without NUL bytes Jackson's encoding detection can only see UTF-8:
            // parse the bytes as they are, skipping the decoder and the copy into a String.
            try {
                root = mapper.readTree(value);
            } catch (Exception e) {
                return invalid(InvalidReason.NOT_JSON, "value is not JSON: " + firstLine(e.getMessage()));
            }
        } else {
            String text;
            try {
                // Strict decoding: Jackson would otherwise auto-detect UTF-16/32 and accept them.
                CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
                text = utf8.decode(ByteBuffer.wrap(value)).toString();
            } catch (CharacterCodingException e) {
                return invalid(InvalidReason.NOT_UTF8, "value is not valid UTF-8");
            }
            try {
                root = mapper.readTree(text);
            } catch (Exception e) {
                return invalid(InvalidReason.NOT_JSON, "value is not JSON: " + firstLine(e.getMessage()));
            }
        }
        if (root == null || !root.isObject()) {
            return invalid(InvalidReason.NOT_JSON, "value is not a JSON object");
        }
        String nulAt = hasNul(root) ? findNul(root, "$") : null;
        if (nulAt != null) {
            return invalid(InvalidReason.NUL_CHAR, "string holds U+0000 at " + nulAt);
        }
        Object eventId = requiredString(root, "event_id", MAX_EVENT_ID_CODE_POINTS);
        if (eventId instanceof ValidationResult.Invalid inv) {
            return inv;
        }
        Object userId = requiredString(root, "user_id", MAX_USER_ID_CODE_POINTS);
        if (userId instanceof ValidationResult.Invalid inv) {
            return inv;
        }
        Object type = requiredString(root, "type", Integer.MAX_VALUE);
        if (type instanceof ValidationResult.Invalid inv) {
            return inv;
        }
        JsonNode tsNode = root.get("ts");
        if (tsNode == null || tsNode.isNull()) {
            return invalid(InvalidReason.MISSING_FIELD, "missing required field 'ts'");
        }
        long ts;
        if (tsNode.isTextual()) {
            if (tsNode.textValue().isEmpty()) {
                return invalid(InvalidReason.MISSING_FIELD, "required field 'ts' is empty");
            }
            ts = Timestamps.parseRfc3339(tsNode.textValue());
            if (ts == Long.MIN_VALUE) {
                return invalid(InvalidReason.BAD_TS, "field 'ts' is not an RFC 3339 date-time with Z or ±HH:MM "
                        + "offset in 0000..9999 after 1970: '" + abbreviate(tsNode.textValue()) + "'");
            }
        } else if (tsNode.isIntegralNumber()) {
            if (!tsNode.canConvertToLong() || tsNode.longValue() < 0
                    || tsNode.longValue() > Timestamps.MAX_EPOCH_MILLIS) {
                return invalid(InvalidReason.BAD_TS, "field 'ts' epoch millis out of range 0.."
                        + Timestamps.MAX_EPOCH_MILLIS + ": " + abbreviate(tsNode.asText()));
            }
            ts = tsNode.longValue();
        } else if (tsNode.isNumber()) {
            return invalid(InvalidReason.BAD_TS, "field 'ts' is a number but not an integer: "
                    + abbreviate(tsNode.asText()));
        } else {
            return invalid(InvalidReason.WRONG_TYPE, "field 'ts' must be a string or an integer, was "
                    + tsNode.getNodeType().name().toLowerCase());
        }
        if (checkSkew && ts - nowMs > maxFutureSkewMs) {
            return invalid(InvalidReason.FUTURE_TS, "field 'ts' " + Timestamps.format(ts) + " is more than "
                    + Duration.ofMillis(maxFutureSkewMs) + " ahead of the wall clock " + Timestamps.format(nowMs));
        }
        String[] optional = new String[OPTIONAL_STRINGS.length];
        for (int i = 0; i < OPTIONAL_STRINGS.length; i++) {
            JsonNode n = root.get(OPTIONAL_STRINGS[i]);
            if (n == null || n.isNull()) {
                continue;
            }
            if (!n.isTextual()) {
                return invalid(InvalidReason.WRONG_TYPE, "field '" + OPTIONAL_STRINGS[i] + "' must be a string, was "
                        + n.getNodeType().name().toLowerCase());
            }
            if (hasUnpairedSurrogate(n.textValue())) {
                return invalid(InvalidReason.NOT_UTF8, "field '" + OPTIONAL_STRINGS[i]
                        + "' holds an unpaired surrogate escape");
            }
            optional[i] = n.textValue();
        }
        String url = optional[0];
        String pagePath = null;
        if (Event.PAGE_VIEW.equals(type)) {
            if (url == null) {
                return invalid(InvalidReason.MISSING_FIELD, "missing required field 'url' (type page_view)");
            }
            pagePath = PagePath.of(url);
            if (pagePath == null) {
                return invalid(InvalidReason.BAD_URL, "field 'url' is not a URI reference: '" + abbreviate(url) + "'");
            }
        }
        BigDecimal amount = null;
        JsonNode amountNode = root.get("amount");
        if (amountNode != null && !amountNode.isNull()) {
            if (!amountNode.isNumber()) {
                return invalid(InvalidReason.WRONG_TYPE, "field 'amount' must be a number, was "
                        + amountNode.getNodeType().name().toLowerCase());
            }
            BigDecimal a = amountNode.decimalValue();
            if (a.signum() < 0) {
                return invalid(InvalidReason.BAD_AMOUNT, "field 'amount' is negative: " + abbreviate(a.toString()));
            }
            if (a.compareTo(AMOUNT_LIMIT) >= 0) {
                return invalid(InvalidReason.BAD_AMOUNT, "field 'amount' is not below 10^16: "
                        + abbreviate(a.toString()));
            }
            // Value-based: 1.500 has two decimals.
            if (a.signum() != 0 && a.stripTrailingZeros().scale() > 2) {
                return invalid(InvalidReason.BAD_AMOUNT, "field 'amount' has more than 2 decimals: "
                        + abbreviate(a.toPlainString()));
            }
            amount = a.setScale(2, RoundingMode.UNNECESSARY);
        }
        return new ValidationResult.Valid((String) userId, new Event(ts, (String) eventId, (String) type, pagePath,
                Event.PURCHASE.equals(type) ? amount : null,
                emptyToNull(optional[2]), emptyToNull(optional[3]), emptyToNull(optional[4])));
    }

    /** @return the string, or an Invalid */
    private static Object requiredString(JsonNode root, String field, int maxCodePoints) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return invalid(InvalidReason.MISSING_FIELD, "missing required field '" + field + "'");
        }
        if (!n.isTextual()) {
            return invalid(InvalidReason.WRONG_TYPE, "field '" + field + "' must be a string, was "
                    + n.getNodeType().name().toLowerCase());
        }
        String s = n.textValue();
        if (s.isEmpty()) {
            return invalid(InvalidReason.MISSING_FIELD, "required field '" + field + "' is empty");
        }
        if (hasUnpairedSurrogate(s)) {
            return invalid(InvalidReason.NOT_UTF8, "field '" + field + "' holds an unpaired surrogate escape");
        }
        if (maxCodePoints != Integer.MAX_VALUE && s.length() > maxCodePoints
                && s.codePointCount(0, s.length()) > maxCodePoints) {
            return invalid(InvalidReason.TOO_LONG, "field '" + field + "' is longer than " + maxCodePoints
                    + " code points");
        }
        return s;
    }

    private static boolean isAsciiWithoutNul(byte[] value) {
        for (byte b : value) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether any string of the document holds U+0000; {@link #findNul} then names where (the rare case). */
    private static boolean hasNul(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') >= 0;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().indexOf('\u0000') >= 0 || hasNul(e.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (hasNul(node.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every string of the document counts, unknown fields and names included ("any string" of the contract). */
    private static String findNul(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') >= 0 ? path : null;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path + "." + e.getKey().replace("\u0000", "\\u0000");
                if (e.getKey().indexOf('\u0000') >= 0) {
                    return child;
                }
                String found = findNul(e.getValue(), child);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = findNul(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static ValidationResult.Invalid invalid(InvalidReason reason, String message) {
        return new ValidationResult.Invalid(reason, message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
