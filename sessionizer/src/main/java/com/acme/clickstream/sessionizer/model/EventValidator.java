package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.io.IOException;
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
    private final JsonFactory streamingFactory;
    private final long maxFutureSkewMs;

    public EventValidator(Duration maxFutureSkew) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
        // Duplicate keys make an event ambiguous ({"ts":1,"ts":2}): rejected as not_json, like trailing data.
        JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        // The streaming pass checks names itself (FieldNames): Jackson's check allocates a hash set per object.
        // Its parser buffers come from a pool, not Jackson's default thread-local: a lookup per event, which in a
        // stream thread's crowded thread-local map can cost whole per cent (sessionizer README, "Thread-local
        // lookups").
        this.streamingFactory = JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
                .build();
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
        if (isAsciiWithoutNulOrNulEscape(value)) {
            ValidationResult.Valid valid = acceptStreaming(value, nowMs, checkSkew);
            if (valid != null) {
                return valid;
            }
        }
        return validateTree(value, nowMs, checkSkew);
    }

    /**
     * The common case in one pass of Jackson's streaming parser over the bytes: the fields the rules read are taken
     * as they pass, every other value is skipped (still tokenized, so syntax, nesting limits and duplicate names at
     * any depth are checked by the parser as in the tree). It only ever accepts: at the first doubt (a parse error, a
     * field of another type, any rule failing) it returns null and {@link #validateTree} judges the record, so the
     * DLQ reasons, their precedence and messages have one source. The caller has ruled out NUL in any string.
     *
     * @return the valid event, or null when the tree must judge
     */
    ValidationResult.Valid acceptStreaming(byte[] value, long nowMs, boolean checkSkew) {
        String eventId = null;
        String userId = null;
        String type = null;
        String tsText = null;
        long tsMillis = -1;
        String[] optional = new String[OPTIONAL_STRINGS.length];
        BigDecimal amount = null;
        int known = 0; // the contract's fields seen, one bit each: a second one is a duplicate name
        FieldNames others = null;
        try (JsonParser p = streamingFactory.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                int bit = knownFieldBit(name);
                if (bit != 0) {
                    if ((known & bit) != 0) {
                        return null;
                    }
                    known |= bit;
                } else if (!(others = others == null ? new FieldNames() : others).add(name)) {
                    return null;
                }
                JsonToken v = p.nextToken();
                switch (name) {
                    case "event_id" -> eventId = stringOrNull(p, v);
                    case "user_id" -> userId = stringOrNull(p, v);
                    case "type" -> type = stringOrNull(p, v);
                    case "ts" -> {
                        if (v == JsonToken.VALUE_STRING) {
                            tsText = p.getText();
                        } else if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                            tsMillis = p.getLongValue();
                        } else {
                            return null;
                        }
                    }
                    case "amount" -> {
                        if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                            amount = p.getDecimalValue();
                        } else if (v != JsonToken.VALUE_NULL) {
                            return null;
                        }
                    }
                    default -> {
                        int i = bit == 0 ? -1 : Integer.numberOfTrailingZeros(bit) - OPTIONAL_BIT0;
                        if (i >= 0) {
                            if (v == JsonToken.VALUE_STRING) {
                                optional[i] = p.getText();
                            } else if (v != JsonToken.VALUE_NULL) {
                                return null;
                            }
                        } else if ((v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY)
                                && !FieldNames.skipNested(p)) {
                            return null;
                        }
                    }
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (!acceptableRequired(eventId, MAX_EVENT_ID_CODE_POINTS) || !acceptableRequired(userId, MAX_USER_ID_CODE_POINTS)
                || !acceptableRequired(type, Integer.MAX_VALUE)) {
            return null;
        }
        long ts = tsText != null ? (tsText.isEmpty() ? Long.MIN_VALUE : Timestamps.parseRfc3339(tsText)) : tsMillis;
        if (ts < 0 || ts > Timestamps.MAX_EPOCH_MILLIS || checkSkew && ts - nowMs > maxFutureSkewMs) {
            return null;
        }
        for (String s : optional) {
            if (s != null && hasUnpairedSurrogate(s)) {
                return null;
            }
        }
        String pagePath = null;
        if (Event.PAGE_VIEW.equals(type)) {
            pagePath = optional[0] == null ? null : PagePath.of(optional[0]);
            if (pagePath == null) {
                return null;
            }
        }
        if (amount != null && amountProblem(amount) != null) {
            return null;
        }
        return valid(userId, eventId, type, ts, pagePath, amount, optional);
    }

    /** The tree of the whole document, then each rule in the contract's order: the judge of every rejection. */
    ValidationResult validateTree(byte[] value, long nowMs, boolean checkSkew) {
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
            amount = amountNode.decimalValue();
            String problem = amountProblem(amount);
            if (problem != null) {
                return invalid(InvalidReason.BAD_AMOUNT, problem);
            }
        }
        return valid((String) userId, (String) eventId, (String) type, ts, pagePath, amount, optional);
    }

    /** @return why the amount breaks the contract, or null */
    private static String amountProblem(BigDecimal a) {
        if (a.signum() < 0) {
            return "field 'amount' is negative: " + abbreviate(a.toString());
        }
        if (a.compareTo(AMOUNT_LIMIT) >= 0) {
            return "field 'amount' is not below 10^16: " + abbreviate(a.toString());
        }
        // Value-based: 1.500 has two decimals.
        if (a.signum() != 0 && a.stripTrailingZeros().scale() > 2) {
            return "field 'amount' has more than 2 decimals: " + abbreviate(a.toPlainString());
        }
        return null;
    }

    private static ValidationResult.Valid valid(String userId, String eventId, String type, long ts, String pagePath,
                                                BigDecimal amount, String[] optional) {
        return new ValidationResult.Valid(userId, new Event(ts, eventId, type, pagePath,
                Event.PURCHASE.equals(type) && amount != null ? amount.setScale(2, RoundingMode.UNNECESSARY) : null,
                emptyToNull(optional[2]), emptyToNull(optional[3]), emptyToNull(optional[4])));
    }

    private static String stringOrNull(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    /** The bit of {@code OPTIONAL_STRINGS[0]}; the others follow in their order. */
    private static final int OPTIONAL_BIT0 = 5;

    /** The bit of a field the streaming pass reads, 0 for any other name. */
    private static int knownFieldBit(String name) {
        return switch (name) {
            case "event_id" -> 1;
            case "user_id" -> 1 << 1;
            case "type" -> 1 << 2;
            case "ts" -> 1 << 3;
            case "amount" -> 1 << 4;
            default -> {
                int i = optionalIndex(name);
                yield i < 0 ? 0 : 1 << (OPTIONAL_BIT0 + i);
            }
        };
    }

    /**
     * The names of one JSON object so far, for the streaming pass's duplicate check: a list searched linearly, as
     * objects in events are small. An object with more names than {@link #MAX} is left to the tree (whose check is a
     * hash set), so that a crafted record with thousands of names costs no quadratic search.
     */
    static final class FieldNames {
        static final int MAX = 32;
        private final String[] names = new String[MAX];
        private int size;

        /** False when the name was seen before in this object, or the object has too many names to check here. */
        boolean add(String name) {
            if (size == MAX) {
                return false;
            }
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    return false;
                }
            }
            names[size++] = name;
            return true;
        }

        /**
         * Skips the object or array the parser is at, checking the names of every object in it. False at a duplicate
         * name (or an object too large to check here).
         */
        static boolean skipNested(JsonParser p) throws IOException {
            java.util.ArrayDeque<FieldNames> objects = new java.util.ArrayDeque<>();
            if (p.currentToken() == JsonToken.START_OBJECT) {
                objects.push(new FieldNames());
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    throw new IOException("unexpected end of input");
                }
                switch (t) {
                    case START_OBJECT -> {
                        objects.push(new FieldNames());
                        depth++;
                    }
                    case START_ARRAY -> depth++;
                    case END_OBJECT -> {
                        objects.pop();
                        depth--;
                    }
                    case END_ARRAY -> depth--;
                    case FIELD_NAME -> {
                        if (!objects.element().add(p.currentName())) {
                            return false;
                        }
                    }
                    default -> {
                    }
                }
            }
            return true;
        }
    }

    private static int optionalIndex(String name) {
        for (int i = 0; i < OPTIONAL_STRINGS.length; i++) {
            if (OPTIONAL_STRINGS[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** What {@link #requiredString} accepts, for a value the streaming pass read as a string (or null). */
    private static boolean acceptableRequired(String s, int maxCodePoints) {
        return s != null && !s.isEmpty() && !hasUnpairedSurrogate(s)
                && (s.length() <= maxCodePoints || s.codePointCount(0, s.length()) <= maxCodePoints);
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

    /**
     * ASCII without NUL bytes and without the escape {@code \u0000}: no string of such a document can hold U+0000
     * (in ASCII the character can only come from that escape). {@code \\u0000} also fails the test (harmless).
     */
    private static boolean isAsciiWithoutNulOrNulEscape(byte[] value) {
        for (int i = 0; i < value.length; i++) {
            byte b = value[i];
            if (b <= 0 || b == '\\' && i + 5 < value.length && value[i + 1] == 'u' && value[i + 2] == '0'
                    && value[i + 3] == '0' && value[i + 4] == '0' && value[i + 5] == '0') {
                return false;
            }
        }
        return true;
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
