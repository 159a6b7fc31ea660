package com.acme.clickstream.loadtest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class EventValidatorTest {
    private static final long WALL = Instant.parse("2026-11-25T12:00:00Z").toEpochMilli();
    private static final long SKEW = 3_600_000;
    private final EventValidator validator = new EventValidator(SKEW);

    private EventValidator.Result v(String json) {
        return validator.validate(json == null ? null : json.getBytes(StandardCharsets.UTF_8), WALL);
    }

    private static String ev(String extra) {
        return "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"ts\":\"2026-11-24T10:15:30.123Z\",\"type\":\"click\"" + extra + "}";
    }

    @Test
    void acceptsAPlainEventAndNormalisesIt() {
        ClickEvent e = v(ev(",\"utm_source\":\"\",\"utm_medium\":\"cpc\",\"referrer\":null,\"x\":[1,{\"y\":2}]")).event();
        assertThat(e).isEqualTo(new ClickEvent("e1", "u1", Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli(),
                "click", null, null, null, "cpc", null));
    }

    @Test
    void nullValueIsSkippedNotInvalid() {
        assertThat(v(null).isNull()).isTrue();
    }

    @Test
    void tsForms() {
        assertThat(EventValidator.parseRfc3339("2026-11-24T10:15:30Z")).isEqualTo(Instant.parse("2026-11-24T10:15:30Z").toEpochMilli());
        assertThat(EventValidator.parseRfc3339("2026-11-24T11:15:30.5+01:00")).isEqualTo(Instant.parse("2026-11-24T10:15:30.500Z").toEpochMilli());
        assertThat(EventValidator.parseRfc3339("2026-11-24T04:45:30.123999-05:30")).isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli());
        assertThat(EventValidator.parseRfc3339("2026-11-24T10:15:30")).isNull();
        assertThat(EventValidator.parseRfc3339("2026-02-30T10:15:30Z")).isNull();
        assertThat(EventValidator.parseRfc3339("2026-11-24T10:15:30+0100")).isNull();
        assertThat(v(ev("").replace("\"2026-11-24T10:15:30.123Z\"", "0")).event().ts()).isZero();
        assertThat(v(ev("").replace("\"2026-11-24T10:15:30.123Z\"", "253402300799999")).invalidReason()).isEqualTo("ts is too far in the future");
        assertThat(v(ev("").replace("\"2026-11-24T10:15:30.123Z\"", "253402300800000")).invalidReason()).startsWith("ts is not");
        assertThat(v(ev("").replace("\"2026-11-24T10:15:30.123Z\"", "-1")).invalidReason()).startsWith("ts is not");
        assertThat(v(ev("").replace("\"2026-11-24T10:15:30.123Z\"", "1.7E12")).invalidReason()).startsWith("ts is not");
    }

    @Test
    void futureSkewBoundaryIsRelativeToTheWallClock() {
        String atLimit = Instant.ofEpochMilli(WALL + SKEW).toString();
        String beyond = Instant.ofEpochMilli(WALL + SKEW + 1).toString();
        assertThat(v(ev("").replace("2026-11-24T10:15:30.123Z", atLimit)).event()).isNotNull();
        assertThat(v(ev("").replace("2026-11-24T10:15:30.123Z", beyond)).invalidReason()).isEqualTo("ts is too far in the future");
    }

    @Test
    void lengthsCountCodePoints() {
        String emoji128 = "\uD83D\uDE00".repeat(128); // 256 UTF-16 units, 128 code points: valid
        assertThat(v(ev("").replace("\"e1\"", "\"" + emoji128 + "\"")).event()).isNotNull();
        assertThat(v(ev("").replace("\"e1\"", "\"" + emoji128 + "x\"")).invalidReason()).isEqualTo("event_id is longer than 128 code points");
        assertThat(v(ev("").replace("\"u1\"", "\"" + "\u00fc".repeat(256) + "\"")).event()).isNotNull();
        assertThat(v(ev("").replace("\"u1\"", "\"" + "\u00fc".repeat(257) + "\"")).invalidReason()).isEqualTo("user_id is longer than 256 code points");
    }

    @Test
    void amountRules() {
        String purchase = ev(",\"amount\":AMOUNT").replace("\"click\"", "\"purchase\"");
        assertThat(v(purchase.replace("AMOUNT", "9999999999999999.99")).event().amount()).isEqualByComparingTo(new BigDecimal("9999999999999999.99"));
        assertThat(v(purchase.replace("AMOUNT", "0")).event().amount()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(v(purchase.replace("AMOUNT", "0.10")).event().amount()).isEqualTo(new BigDecimal("0.10"));
        assertThat(v(purchase.replace("AMOUNT", "12.340")).event().amount()).isEqualByComparingTo(new BigDecimal("12.34"));
        for (String bad : new String[] {"10000000000000000", "1E16", "-0.01", "12.345", "\"12.50\"", "true"}) {
            assertThat(v(purchase.replace("AMOUNT", bad)).invalidReason()).as(bad).startsWith("amount");
        }
    }

    @Test
    void pageViewNeedsAParseableUrl() {
        String pv = ev(",URL").replace("\"click\"", "\"page_view\"");
        assertThat(v(pv.replace(",URL", "")).invalidReason()).isEqualTo("page_view without url");
        assertThat(v(pv.replace("URL", "\"url\":null")).invalidReason()).isEqualTo("page_view without url");
        assertThat(v(pv.replace("URL", "\"url\":\"https://shop.example.com/p/a b\"")).invalidReason()).isEqualTo("url is not a URI reference");
        assertThat(v(pv.replace("URL", "\"url\":\"https://shop.example.com/p/42?ref=mail#top\"")).event().pagePath()).isEqualTo("/p/42");
        // a click may carry any string url: only page views need a page path
        assertThat(v(ev(",\"url\":\"not a url\"")).event()).isNotNull();
    }

    @Test
    void pagePaths() {
        assertThat(PagePath.of("https://shop.example.com/p/42?ref=mail#top")).isEqualTo("/p/42");
        assertThat(PagePath.of("/cart")).isEqualTo("/cart");
        assertThat(PagePath.of("https://shop.example.com")).isEqualTo("/");
        assertThat(PagePath.of("https://shop.example.com?x=1")).isEqualTo("/");
        assertThat(PagePath.of("/search/caf%C3%A9")).isEqualTo("/search/caf%C3%A9");
        assertThat(PagePath.of("//cdn.example.com:8080/a/./b")).isEqualTo("/a/./b");
        assertThat(PagePath.of("http://[::1]:80/x")).isEqualTo("/x");
        assertThat(PagePath.of("p/42")).isEqualTo("p/42");
        assertThat(PagePath.of("/a%zz")).isNull();
        assertThat(PagePath.of("/a<b>")).isNull();
        assertThat(PagePath.of("/caf\u00e9")).isNull();
        assertThat(PagePath.of("1http://x/")).isNull();
        assertThat(PagePath.of("http://host:80x/")).isNull();
        assertThat(PagePath.of("/a#b#c")).isNull();
    }

    @Test
    void invalidShapes() {
        assertThat(validator.validate(new byte[] {'{', (byte) 0xC3, 0x28, '}'}, WALL).invalidReason()).isEqualTo("value is not UTF-8");
        assertThat(v("").invalidReason()).isEqualTo("value is not JSON");
        assertThat(v("{\"event_id\":").invalidReason()).isEqualTo("value is not JSON");
        assertThat(v(ev("") + " {}").invalidReason()).isEqualTo("value is not JSON");
        assertThat(v("[" + ev("") + "]").invalidReason()).isEqualTo("value is not a JSON object");
        assertThat(v("42").invalidReason()).isEqualTo("value is not a JSON object");
        assertThat(v(ev(",\"user_agent\":\"a\\u0000b\"")).invalidReason()).isEqualTo("a string holds U+0000");
        assertThat(v(ev("").replace("\"type\":\"click\"", "\"type\":\"\"")).invalidReason()).isEqualTo("type is empty");
        assertThat(v(ev("").replace("\"u1\"", "null")).invalidReason()).isEqualTo("user_id is missing");
        assertThat(v(ev("").replace("\"e1\"", "7")).invalidReason()).isEqualTo("event_id is not a string");
        assertThat(v(ev(",\"utm_campaign\":7")).invalidReason()).isEqualTo("utm_campaign is not a string");
        assertThat(v(ev(",\"referrer\":{}")).invalidReason()).isEqualTo("referrer is not a string");
    }
}
