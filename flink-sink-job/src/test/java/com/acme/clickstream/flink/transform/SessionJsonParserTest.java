package com.acme.clickstream.flink.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Sessions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionJsonParserTest {

    private static SessionJsonParser.Result parse(String json) {
        return SessionJsonParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static SessionJsonParser.Result parse(ObjectNode json) {
        return parse(json.toString());
    }

    private static String reason(SessionJsonParser.Result r) {
        assertThat(r).isInstanceOf(SessionJsonParser.Invalid.class);
        return ((SessionJsonParser.Invalid) r).reason();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 9, 10, 21, 42})
    void contractJsonMapsToTheRowFieldForField(int i) {
        SessionRow row = Sessions.row("p", i);
        assertThat(parse(Sessions.json(row))).isEqualTo(new SessionJsonParser.Valid(row));
    }

    @Test
    void theContractsExample() {
        String json = "{\"session_id\":\"u1-1795600530123\",\"user_id\":\"u1\","
                + "\"session_start\":\"2026-11-24T10:15:30.123Z\",\"session_end\":\"2026-11-24T10:20:30.623Z\","
                + "\"duration_ms\":300500,\"event_count\":4,\"page_views\":2,\"purchases\":1,\"revenue\":19.9,"
                + "\"landing_page\":\"/p/42\",\"exit_page\":\"/cart\",\"landing_category\":null,\"country\":\"DE\","
                + "\"segment\":null,\"utm_source\":\"mail\",\"utm_medium\":null,\"utm_campaign\":null,"
                + "\"is_bounce\":false,\"closed_at\":\"2026-11-24T10:52:31.000Z\",\"some_new_field\":[1]}";
        SessionRow row = ((SessionJsonParser.Valid) parse(json)).row();
        assertThat(row.sessionStart()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z"));
        assertThat(row.revenue()).isEqualTo(new BigDecimal("19.90"));
        assertThat(row.landingCategory()).isNull();
        assertThat(row.utmSource()).isEqualTo("mail");
    }

    @Test
    void absentNullableFieldsAreNullAndOffsetsAreConvertedToUtc() {
        SessionRow row = Sessions.row("p", 7);
        ObjectNode json = Sessions.json(row);
        json.remove("country");
        json.put("session_start", row.sessionStart().atOffset(java.time.ZoneOffset.ofHours(1))
                .format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        assertThat(json.get("session_start").asText()).endsWith("+01:00");
        SessionRow parsed = ((SessionJsonParser.Valid) parse(json)).row();
        assertThat(parsed.country()).isNull();
        assertThat(parsed.sessionStart()).isEqualTo(row.sessionStart());
    }

    @Test
    void rejectsWhatIsNotASession() {
        assertThat(reason(SessionJsonParser.parse(null))).contains("tombstone");
        assertThat(reason(parse("not json"))).startsWith("not UTF-8 JSON");
        assertThat(reason(parse("[]"))).isEqualTo("not a JSON object");
        assertThat(reason(parse("{} {}"))).startsWith("not UTF-8 JSON");
        assertThat(reason(SessionJsonParser.parse(new byte[] {'"', (byte) 0xff, '"'}))).startsWith("not UTF-8 JSON");
        assertThat(reason(parse("{\"session_id\":\"a\",\"session_id\":\"b\"}"))).contains("Duplicate field");
    }

    @Test
    void rejectsContractBreachesNamingTheFieldAndKeepsTheSessionId() {
        SessionRow row = Sessions.row("p", 5);
        SessionJsonParser.Invalid missing = (SessionJsonParser.Invalid) parse(Sessions.json(row).without("user_id"));
        assertThat(missing.sessionId()).isEqualTo(row.sessionId());
        assertThat(missing.reason()).contains("'user_id' is missing");
        assertThat(reason(parse(Sessions.json(row).put("user_id", "")))).contains("'user_id' must be a non-empty");
        assertThat(reason(parse(Sessions.json(row).put("event_count", 2.5)))).contains("'event_count'");
        assertThat(reason(parse(Sessions.json(row).put("event_count", "3")))).contains("'event_count'");
        assertThat(reason(parse(Sessions.json(row).put("page_views", 3_000_000_000L)))).contains("'page_views'");
        assertThat(reason(parse(Sessions.json(row).put("revenue", "1.00")))).contains("'revenue'");
        assertThat(reason(parse(Sessions.json(row).put("revenue", new BigDecimal("-1"))))).contains("'revenue'");
        assertThat(reason(parse(Sessions.json(row).put("revenue", new BigDecimal("1E16"))))).contains("'revenue'");
        assertThat(reason(parse(Sessions.json(row).put("revenue", new BigDecimal("0.001"))))).contains("'revenue'");
        assertThat(reason(parse(Sessions.json(row).put("session_start", "yesterday")))).contains("RFC 3339");
        assertThat(reason(parse(Sessions.json(row).put("session_start", "2026-11-24T10:00:00")))).contains("RFC 3339");
        assertThat(reason(parse(Sessions.json(row).put("is_bounce", "false")))).contains("'is_bounce'");
        assertThat(reason(parse(Sessions.json(row).put("country", 49)))).contains("'country'");
        assertThat(reason(parse(Sessions.json(row).put("segment", "a\u0000b")))).contains("U+0000");
        assertThat(reason(parse(Sessions.json(row).put("duration_ms", row.durationMs() + 1)))).contains("duration_ms");
        assertThat(reason(parse(Sessions.json(row).put("is_bounce", !row.isBounce())))).contains("is_bounce");
        assertThat(reason(parse(Sessions.json(row).put("event_count", 0).put("is_bounce", false))))
                .contains("event_count");
        assertThat(reason(parse(Sessions.json(row).put("page_views", row.eventCount() + 1)))).contains("page_views");
        assertThat(reason(parse(Sessions.json(row).putNull("landing_page")))).contains("landing_page");
        assertThat(reason(parse(Sessions.json(row).put("utm_source", (String) null).put("utm_medium", "x"))))
                .contains("utm_medium");
    }

    @Test
    void revenueWithoutPurchasesAndEndBeforeStartAreBreaches() {
        SessionRow noPurchase = Sessions.row("p", 1);
        assertThat(noPurchase.purchases()).isZero();
        assertThat(reason(parse(Sessions.json(noPurchase).put("revenue", new BigDecimal("5.00")))))
                .contains("without purchases");
        SessionRow row = Sessions.row("p", 2);
        assertThat(reason(parse(Sessions.json(row).put("session_end", "2020-01-01T00:00:00.000Z"))))
                .contains("before session_start");
    }
}
