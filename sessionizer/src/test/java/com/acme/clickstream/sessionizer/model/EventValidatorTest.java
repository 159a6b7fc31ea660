package com.acme.clickstream.sessionizer.model;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class EventValidatorTest {

    static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
    final EventValidator validator = new EventValidator(Duration.ofHours(1));

    ValidationResult validate(String json) {
        return validator.validate(json.getBytes(StandardCharsets.UTF_8), NOW, true);
    }

    Event valid(String json) {
        ValidationResult r = validate(json);
        assertThat(r).isInstanceOf(ValidationResult.Valid.class);
        return ((ValidationResult.Valid) r).event();
    }

    void invalid(String json, InvalidReason reason, String messagePart) {
        ValidationResult r = validate(json);
        assertThat(r).isInstanceOf(ValidationResult.Invalid.class);
        ValidationResult.Invalid inv = (ValidationResult.Invalid) r;
        assertThat(inv.reason()).isEqualTo(reason);
        assertThat(inv.message()).contains(messagePart);
    }

    static String ev(String tsJson, String extra) {
        return "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"ts\":" + tsJson + ",\"type\":\"click\"" + extra + "}";
    }

    /** A JSON object in UTF-32 or UTF-16 is all ASCII-range bytes and zeros: never read as valid (contract: UTF-8). */
    @Test
    void jsonInAnotherUnicodeEncodingIsRejected() {
        String json = ev("\"2026-11-24T10:15:30.123Z\"", "");
        for (String charset : new String[] {"UTF-32BE", "UTF-32LE", "UTF-16BE", "UTF-16LE"}) {
            ValidationResult r = validator.validate(json.getBytes(java.nio.charset.Charset.forName(charset)), NOW, true);
            assertThat(r).as(charset).isInstanceOf(ValidationResult.Invalid.class);
            assertThat(((ValidationResult.Invalid) r).reason()).as(charset).isEqualTo(InvalidReason.NOT_JSON);
        }
        // The same object in UTF-8, with and without non-ASCII text, is valid.
        assertThat(validate(json)).isInstanceOf(ValidationResult.Valid.class);
        assertThat(validate(ev("\"2026-11-24T10:15:30.123Z\"", ",\"referrer\":\"caf\u00e9\""))).isInstanceOf(
                ValidationResult.Valid.class);
    }

    @Test
    void minimalEventIsValid() {
        ValidationResult r = validate(ev("\"2026-11-24T10:15:30.123Z\"", ""));
        assertThat(r).isEqualTo(new ValidationResult.Valid("u1", new Event(
                Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli(), "e1", "click", null, null, null, null,
                null)));
    }

    @Test
    void offsetTimestamp() {
        assertThat(valid(ev("\"2026-11-24T15:45:30.123+05:30\"", "")).ts())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli());
        assertThat(valid(ev("\"2026-11-24T05:15:30-05:00\"", "")).ts())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30Z").toEpochMilli());
        assertThat(valid(ev("\"2026-11-24t10:15:30z\"", "")).ts())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30Z").toEpochMilli());
    }

    @Test
    void digitsPastMillisAreTruncated() {
        assertThat(valid(ev("\"2026-11-24T10:15:30.123999999Z\"", "")).ts())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli());
        assertThat(valid(ev("\"2026-11-24T10:15:30.5Z\"", "")).ts())
                .isEqualTo(Instant.parse("2026-11-24T10:15:30.500Z").toEpochMilli());
    }

    @Test
    void epochMillisBounds() {
        assertThat(valid(ev("0", "")).ts()).isZero();
        // The upper bound is far in the future: only valid with a skew that allows it.
        EventValidator lenient = new EventValidator(Duration.ofDays(3_000_000));
        ValidationResult r = lenient.validate(ev("253402300799999", "").getBytes(StandardCharsets.UTF_8), NOW, true);
        assertThat(((ValidationResult.Valid) r).event().ts()).isEqualTo(253402300799999L);
        ValidationResult over = lenient.validate(ev("253402300800000", "").getBytes(StandardCharsets.UTF_8), NOW,
                true);
        assertThat(((ValidationResult.Invalid) over).reason()).isEqualTo(InvalidReason.BAD_TS);
    }

    @Test
    void optionalNullsAndEmptyUtmAreAbsent() {
        Event e = valid(ev("0", ",\"utm_source\":\"\",\"utm_medium\":null,\"utm_campaign\":\"\",\"referrer\":null,"
                + "\"amount\":null,\"user_agent\":\"x\",\"unknown\":{\"a\":[1,2]}"));
        assertThat(e.utmSource()).isNull();
        assertThat(e.utmMedium()).isNull();
        assertThat(e.utmCampaign()).isNull();
    }

    @Test
    void purchaseAmountIsKeptExactly() {
        Event e = valid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"purchase\",\"amount\":19.99}");
        assertThat(e.amount()).isEqualTo(new BigDecimal("19.99"));
        assertThat(valid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"purchase\",\"amount\":1.500}")
                .amount()).isEqualTo(new BigDecimal("1.50"));
        assertThat(valid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"purchase\","
                + "\"amount\":9999999999999999.99}").amount()).isEqualTo(new BigDecimal("9999999999999999.99"));
        assertThat(valid(ev("1", ",\"amount\":5")).amount()).as("ignored on other types").isNull();
    }

    @Test
    void pageViewGetsPagePath() {
        Event e = valid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"page_view\","
                + "\"url\":\"https://shop.example.com/p/42?ref=mail#top\"}");
        assertThat(e.pagePath()).isEqualTo("/p/42");
        assertThat(valid(ev("1", ",\"url\":\"not a url\"")).pagePath()).as("url only parsed for page_view").isNull();
    }

    @Test
    void lengthsCountCodePoints() {
        String emoji128 = "\uD83D\uDE00".repeat(128); // 256 UTF-16 units, 128 code points
        valid("{\"event_id\":\"" + emoji128 + "\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}");
        valid("{\"event_id\":\"e\",\"user_id\":\"" + "u".repeat(256) + "\",\"ts\":1,\"type\":\"x\"}");
    }

    @Test
    void notUtf8() {
        byte[] latin1 = ev("1", ",\"referrer\":\"caf\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
        ValidationResult r = validator.validate(latin1, NOW, true);
        assertThat(((ValidationResult.Invalid) r).reason()).isEqualTo(InvalidReason.NOT_UTF8);
        byte[] utf16 = ev("1", "").getBytes(StandardCharsets.UTF_16);
        assertThat(((ValidationResult.Invalid) validator.validate(utf16, NOW, true)).reason())
                .isEqualTo(InvalidReason.NOT_UTF8);
        invalid(ev("1", ",\"utm_source\":\"\\uD800\""), InvalidReason.NOT_UTF8, "utm_source");
    }

    @Test
    void notJson() {
        invalid("{\"event_id\":", InvalidReason.NOT_JSON, "not JSON");
        invalid("[1,2]", InvalidReason.NOT_JSON, "not a JSON object");
        invalid("\"text\"", InvalidReason.NOT_JSON, "not a JSON object");
        invalid("", InvalidReason.NOT_JSON, "");
        invalid(ev("1", "") + " {}", InvalidReason.NOT_JSON, "");
        invalid("{\"event_id\":\"a\",\"event_id\":\"b\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}",
                InvalidReason.NOT_JSON, "event_id");
    }

    @Test
    void missingField() {
        invalid("{\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}", InvalidReason.MISSING_FIELD,
                "missing required field 'event_id'");
        invalid("{\"event_id\":\"e\",\"ts\":1,\"type\":\"x\"}", InvalidReason.MISSING_FIELD, "'user_id'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"type\":\"x\"}", InvalidReason.MISSING_FIELD,
                "missing required field 'ts'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1}", InvalidReason.MISSING_FIELD, "'type'");
        invalid("{\"event_id\":\"\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}", InvalidReason.MISSING_FIELD,
                "'event_id' is empty");
        invalid("{\"event_id\":null,\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}", InvalidReason.MISSING_FIELD,
                "'event_id'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":\"\",\"type\":\"x\"}", InvalidReason.MISSING_FIELD,
                "'ts' is empty");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"page_view\"}",
                InvalidReason.MISSING_FIELD, "'url'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"page_view\",\"url\":null}",
                InvalidReason.MISSING_FIELD, "'url'");
    }

    @Test
    void wrongType() {
        invalid("{\"event_id\":5,\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}", InvalidReason.WRONG_TYPE, "'event_id'");
        invalid("{\"event_id\":\"e\",\"user_id\":[\"u\"],\"ts\":1,\"type\":\"x\"}", InvalidReason.WRONG_TYPE,
                "'user_id'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":true,\"type\":\"x\"}", InvalidReason.WRONG_TYPE,
                "'ts'");
        invalid(ev("1", ",\"utm_source\":1"), InvalidReason.WRONG_TYPE, "'utm_source'");
        invalid(ev("1", ",\"user_agent\":{}"), InvalidReason.WRONG_TYPE, "'user_agent'");
        invalid(ev("1", ",\"amount\":\"1.00\""), InvalidReason.WRONG_TYPE, "'amount'");
    }

    @Test
    void tooLong() {
        invalid("{\"event_id\":\"" + "e".repeat(129) + "\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}",
                InvalidReason.TOO_LONG, "'event_id'");
        invalid("{\"event_id\":\"e\",\"user_id\":\"" + "\uD83D\uDE00".repeat(257) + "\",\"ts\":1,\"type\":\"x\"}",
                InvalidReason.TOO_LONG, "'user_id'");
    }

    @Test
    void badTs() {
        invalid(ev("\"2026-11-24T10:15:30\"", ""), InvalidReason.BAD_TS, "RFC 3339");   // no offset
        invalid(ev("\"2026-11-24 10:15:30Z\"", ""), InvalidReason.BAD_TS, "");
        invalid(ev("\"2026-11-24T10:15:30+0530\"", ""), InvalidReason.BAD_TS, "");
        invalid(ev("\"2026-02-30T10:15:30Z\"", ""), InvalidReason.BAD_TS, "");
        invalid(ev("\"2026-11-24T24:00:00Z\"", ""), InvalidReason.BAD_TS, "");
        invalid(ev("\"2026-11-24T10:15:30.Z\"", ""), InvalidReason.BAD_TS, "");
        invalid(ev("\"1764000000000\"", ""), InvalidReason.BAD_TS, "");   // string of digits
        invalid(ev("1764000000000.0", ""), InvalidReason.BAD_TS, "not an integer");
        invalid(ev("1.7e12", ""), InvalidReason.BAD_TS, "");
        invalid(ev("-1", ""), InvalidReason.BAD_TS, "out of range");
        invalid(ev("99999999999999999999999", ""), InvalidReason.BAD_TS, "out of range");
        invalid(ev("\"1969-12-31T23:59:59Z\"", ""), InvalidReason.BAD_TS, "");
    }

    @Test
    void futureTs() {
        long limit = NOW + Duration.ofHours(1).toMillis();
        valid(ev(Long.toString(limit), ""));
        invalid(ev(Long.toString(limit + 1), ""), InvalidReason.FUTURE_TS, "ahead of the wall clock");
        // Not applied when re-reading a validated event (repartition topic).
        assertThat(validator.validate(ev(Long.toString(limit + 1), "").getBytes(StandardCharsets.UTF_8), NOW, false))
                .isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void badUrl() {
        invalid("{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"page_view\",\"url\":\"http://a b/\"}",
                InvalidReason.BAD_URL, "not a URI reference");
    }

    @Test
    void badAmount() {
        invalid(ev("1", ",\"amount\":-0.01"), InvalidReason.BAD_AMOUNT, "negative");
        invalid(ev("1", ",\"amount\":1.001"), InvalidReason.BAD_AMOUNT, "more than 2 decimals");
        invalid(ev("1", ",\"amount\":10000000000000000"), InvalidReason.BAD_AMOUNT, "10^16");
        invalid(ev("1", ",\"amount\":1e16"), InvalidReason.BAD_AMOUNT, "10^16");
    }

    @Test
    void nulChar() {
        invalid("{\"event_id\":\"e\\u0000\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}", InvalidReason.NUL_CHAR,
                "$.event_id");
        invalid(ev("1", ",\"extra\":[\"ok\",\"a\\u0000\"]"), InvalidReason.NUL_CHAR, "$.extra[1]");
        invalid(ev("1", ",\"ke\\u0000y\":1"), InvalidReason.NUL_CHAR, "");
    }
}
