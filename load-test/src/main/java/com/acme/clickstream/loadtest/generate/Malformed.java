package com.acme.clickstream.loadtest.generate;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One malformed record per kind, covering every invalid rule of the contract. Each kind is built
 * from a valid event and breaks exactly one rule, in a way no reasonable reading of the contract
 * could accept (e.g. a future ts in the year 2100, not an hour ahead).
 */
final class Malformed {
    record Kind(String name, Function<ObjectNode, byte[]> make) {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final List<Kind> KINDS = List.of(
            raw("not_utf8", e -> {
                byte[] json = e.put("user_agent", "@@").toString().getBytes(StandardCharsets.UTF_8);
                String s = new String(json, StandardCharsets.ISO_8859_1).replace("@@", "\u00c3\u0028");
                return s.getBytes(StandardCharsets.ISO_8859_1); // 0xC3 0x28: a broken 2-byte sequence
            }),
            raw("not_json", e -> {
                String s = e.toString();
                return s.substring(0, s.length() / 2).getBytes(StandardCharsets.UTF_8);
            }),
            raw("empty_value", e -> new byte[0]),
            raw("array", e -> ("[" + e + "]").getBytes(StandardCharsets.UTF_8)),
            raw("json_string", e -> "\"page_view\"".getBytes(StandardCharsets.UTF_8)),
            raw("json_number", e -> "42".getBytes(StandardCharsets.UTF_8)),
            edit("missing_event_id", e -> e.remove("event_id")),
            edit("missing_user_id", e -> e.remove("user_id")),
            edit("missing_ts", e -> e.remove("ts")),
            edit("missing_type", e -> e.remove("type")),
            edit("null_user_id", e -> e.putNull("user_id")),
            edit("empty_event_id", e -> e.put("event_id", "")),
            edit("empty_user_id", e -> e.put("user_id", "")),
            edit("empty_type", e -> e.put("type", "")),
            edit("event_id_number", e -> e.put("event_id", 12345)),
            edit("user_id_number", e -> e.put("user_id", 42)),
            edit("type_boolean", e -> e.put("type", true)),
            edit("event_id_129_code_points", e -> e.put("event_id", "e" + "x".repeat(128))),
            edit("user_id_257_code_points", e -> e.put("user_id", "\u00fc".repeat(257))),
            edit("ts_boolean", e -> e.put("ts", true)),
            edit("ts_object", e -> e.set("ts", F.objectNode().put("seconds", 1764000000))),
            edit("ts_without_offset", e -> e.put("ts", "2026-11-24T10:15:30")),
            edit("ts_impossible_date", e -> e.put("ts", "2026-02-30T10:00:00Z")),
            edit("ts_words", e -> e.put("ts", "yesterday at noon")),
            edit("ts_empty", e -> e.put("ts", "")),
            edit("ts_numeric_string", e -> e.put("ts", "1764000000000")),
            edit("ts_negative", e -> e.put("ts", -5)),
            edit("ts_beyond_9999", e -> e.put("ts", 253402300800000L)),
            edit("ts_fractional_number", e -> e.put("ts", new BigDecimal("1764000000000.5"))),
            edit("ts_year_2100", e -> e.put("ts", "2100-01-01T00:00:00.000Z")),
            edit("page_view_without_url", e -> e.put("type", "page_view").remove("url")),
            edit("page_view_null_url", e -> e.put("type", "page_view").putNull("url")),
            edit("page_view_bad_url", e -> e.put("type", "page_view").put("url", "https://shop.example.com/p/a b<c>")),
            edit("url_number", e -> e.put("url", 42)),
            edit("amount_negative", e -> e.put("type", "purchase").put("amount", new BigDecimal("-1.00"))),
            edit("amount_three_decimals", e -> e.put("type", "purchase").put("amount", new BigDecimal("12.345"))),
            edit("amount_1e16", e -> e.put("type", "purchase").put("amount", new BigDecimal("10000000000000000"))),
            edit("amount_string", e -> e.put("type", "purchase").put("amount", "12.50")),
            edit("utm_source_number", e -> e.put("utm_source", 7)),
            edit("referrer_object", e -> e.set("referrer", F.objectNode().put("host", "example.org"))),
            edit("nul_in_user_agent", e -> e.put("user_agent", "Mozilla/5.0\u0000")),
            edit("nul_in_event_id", e -> e.put("event_id", e.get("event_id").asText() + "\u0000")));

    private Malformed() {}

    private static Kind raw(String name, Function<ObjectNode, byte[]> make) {
        return new Kind(name, make);
    }

    private static Kind edit(String name, java.util.function.Consumer<ObjectNode> change) {
        return new Kind(name, e -> {
            change.accept(e);
            return e.toString().getBytes(StandardCharsets.UTF_8);
        });
    }
}
