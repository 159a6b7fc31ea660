package com.acme.clickstream.sessionizer.model;

import com.acme.clickstream.sessionizer.streams.JsonSerde;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SessionSummarizerTest {

    static final long T0 = Instant.parse("2026-11-24T10:15:30.123Z").toEpochMilli();

    static Event purchase(String id, long ts, String amount) {
        return new Event(ts, id, "purchase", null, amount == null ? null : new BigDecimal(amount), null, null, null);
    }

    static Event page(String id, long ts, String path) {
        return new Event(ts, id, "page_view", path, null, null, null, null);
    }

    @Test
    void revenueIsExactToTheCent() {
        Session s = SessionSummarizer.summarize("u", List.of(purchase("a", T0, "0.10"), purchase("b", T0 + 1, "0.20")),
                null, p -> null, null);
        assertThat(s.revenue()).isEqualTo(new BigDecimal("0.30"));
        assertThat(s.purchases()).isEqualTo(2);

        Session big = SessionSummarizer.summarize("u", List.of(purchase("a", T0, "9999999999999999.99")), null,
                p -> null, null);
        assertThat(big.revenue().toPlainString()).isEqualTo("9999999999999999.99");
    }

    @Test
    void noPurchaseMeansZeroRevenueWithScale2() {
        Session s = SessionSummarizer.summarize("u", List.of(page("a", T0, "/")), null, p -> null, null);
        assertThat(s.revenue().toPlainString()).isEqualTo("0.00");
        assertThat(s.isBounce()).isTrue();
        Session noAmount = SessionSummarizer.summarize("u", List.of(purchase("a", T0, null)), null, p -> null, null);
        assertThat(noAmount.revenue().toPlainString()).isEqualTo("0.00");
        assertThat(noAmount.purchases()).isEqualTo(1);
    }

    @Test
    void allFieldsAndExactJson() {
        List<Event> events = List.of(
                new Event(T0, "e1", "click", null, null, null, null, null),
                page("e2", T0 + 1000, "/landing"),
                new Event(T0 + 2000, "e3", "click", null, null, "mail", null, "spring"),
                new Event(T0 + 3000, "e4", "purchase", null, new BigDecimal("12.50"), "google", "cpc", "x"),
                page("e5", T0 + 4000, "/exit"));
        Session s = SessionSummarizer.summarize("user-1", events, new UserProfile("DE", "gold"),
                Map.of("/landing", new PageInfo("shoes"))::get, T0 + 3_600_000L);
        String json = new String(new JsonSerde<>(Session.class).serialize("t", s), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"session_id\":\"" + SessionSummarizer.sessionId("user-1", T0, "e1") + "\","
                + "\"user_id\":\"user-1\",\"session_start\":\"2026-11-24T10:15:30.123Z\","
                + "\"session_end\":\"2026-11-24T10:15:34.123Z\",\"duration_ms\":4000,\"event_count\":5,"
                + "\"page_views\":2,\"purchases\":1,\"revenue\":12.50,\"landing_page\":\"/landing\","
                + "\"exit_page\":\"/exit\",\"landing_category\":\"shoes\",\"country\":\"DE\",\"segment\":\"gold\","
                + "\"utm_source\":\"mail\",\"utm_medium\":null,\"utm_campaign\":\"spring\",\"is_bounce\":false,"
                + "\"closed_at\":\"2026-11-24T11:15:30.123Z\"}");
        // Round trip (the REST layer and tests read it back).
        assertThat(new JsonSerde<>(Session.class).deserialize("t", json.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(s);
    }

    @Test
    void wholeSecondTimestampsStillHaveMillis() {
        long t = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        assertThat(Timestamps.format(t)).isEqualTo("2026-01-01T00:00:00.000Z");
        assertThat(Timestamps.format(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(Timestamps.format(Timestamps.MAX_EPOCH_MILLIS)).isEqualTo("9999-12-31T23:59:59.999Z");
    }

    @Test
    void sessionIdIsDeterministicAndDistinguishesFirstEvent() {
        String a = SessionSummarizer.sessionId("u", T0, "e1");
        assertThat(SessionSummarizer.sessionId("u", T0, "e1")).isEqualTo(a);
        assertThat(SessionSummarizer.sessionId("u", T0, "e2")).isNotEqualTo(a);
        assertThat(SessionSummarizer.sessionId("u", T0 + 1, "e1")).isNotEqualTo(a);
        assertThat(SessionSummarizer.sessionId("v", T0, "e1")).isNotEqualTo(a);
    }

    @Test
    void sessionIdIsTheNameBasedUuidOfItsParts() {
        // The contract's id: UUID v3 (MD5) of user_id, U+0000, session_start millis, U+0000, first event_id in UTF-8.
        assertThat(SessionSummarizer.sessionId("u", 0, "e1")).isEqualTo("39b38538-8b25-3b1d-b172-952841d6546d");
        String[][] parts = {{"user-42", "evt-1"}, {"\u00e9l\u00e8ve \ud83d\ude00", "\u4e8b\u4ef6"}, {"", ""}};
        for (String[] p : parts) {
            for (long start : new long[] {0, T0, Timestamps.MAX_EPOCH_MILLIS}) {
                String name = p[0] + '\u0000' + start + '\u0000' + p[1];
                assertThat(SessionSummarizer.sessionId(p[0], start, p[1])).isEqualTo(
                        java.util.UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                .toString());
            }
        }
    }

    @Test
    void unknownEnrichmentIsNull() {
        Session s = SessionSummarizer.summarize("u", List.of(page("a", T0, "/x")), null, p -> null, null);
        assertThat(s.landingPage()).isEqualTo("/x");
        assertThat(s.landingCategory()).isNull();
        assertThat(s.country()).isNull();
        assertThat(s.segment()).isNull();
        assertThat(s.closedAt()).isNull();
        Session noPages = SessionSummarizer.summarize("u", List.of(purchase("a", T0, "1")), null, p -> null, null);
        assertThat(noPages.landingPage()).isNull();
        assertThat(noPages.exitPage()).isNull();
    }
}
