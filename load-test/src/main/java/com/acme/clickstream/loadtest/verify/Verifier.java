package com.acme.clickstream.loadtest.verify;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.SessionRow;
import com.acme.clickstream.loadtest.replay.KafkaSend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reconciles PostgreSQL (and the DLQ and late topics) against what was sent: the expected sessions
 * are recomputed from the recorded records by {@link ReferenceSessionizer}, never taken from the
 * pipeline's code.
 */
public final class Verifier {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Verifier() {}

    public static VerifyReport verify(VerifyConfig config) {
        return verify(config, s -> {});
    }

    /** Recomputes the expectation once, then checks (repeatedly, up to config.await()) until it matches. */
    public static VerifyReport verify(VerifyConfig config, Consumer<String> progress) {
        Expectation expected = expect(config);
        long deadline = System.nanoTime() + config.await().toNanos();
        while (true) {
            VerifyReport report = compare(config, expected);
            if (report.ok() || System.nanoTime() >= deadline) {
                return report;
            }
            progress.accept("verify: not yet: missing=" + report.missing().size() + " extra=" + report.extra().size()
                    + " wrong=" + report.wrong().size() + " accounting=" + report.accounting().size() + "; checking again");
            try {
                Thread.sleep(Math.min(2000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return report;
            }
        }
    }

    /** The reference implementation over the recorded files. */
    public static Expectation expect(VerifyConfig config) {
        int partitions = config.partitions() > 0 ? config.partitions()
                : KafkaSend.partitionCount(Objects.requireNonNull(config.bootstrapServers(),
                        "partitions or bootstrap servers needed"), config.topics().events());
        ReferenceSessionizer ref = new ReferenceSessionizer(config.rules(), partitions, System.currentTimeMillis());
        long[] loadStart = {Long.MAX_VALUE};
        Jsonl.forEach(config.inDir().resolve(Jsonl.EVENTS), r -> {
            if (r.sentAtMs() > 0 && loadStart[0] == Long.MAX_VALUE) {
                loadStart[0] = r.sentAtMs();
            }
            ref.accept(r);
        });
        EnrichmentHistory history = new EnrichmentHistory(Jsonl.read(config.inDir().resolve(Jsonl.USERS)),
                Jsonl.read(config.inDir().resolve(Jsonl.PAGES)), loadStart[0]);
        return ref.finish(history.lastProfiles(), history.lastCategories()).withEnrichment(history);
    }

    static VerifyReport compare(VerifyConfig config, Expectation expected) {
        List<SessionRow> actual = readTable(config);
        Map<String, SessionRow> expectedByKey = new LinkedHashMap<>();
        for (SessionRow s : expected.sessions()) {
            expectedByKey.put(s.naturalKey(), s);
        }
        Map<String, List<SessionRow>> actualByKey = new LinkedHashMap<>();
        long sumEventCount = 0;
        for (SessionRow r : actual) {
            actualByKey.computeIfAbsent(r.naturalKey(), k -> new ArrayList<>()).add(r);
            sumEventCount += r.eventCount();
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (SessionRow e : expectedByKey.values()) {
            List<SessionRow> rows = actualByKey.get(e.naturalKey());
            if (rows == null) {
                missing.add(describe(e));
                continue;
            }
            if (rows.size() > 1) {
                duplicated.add(e.naturalKey() + " x" + rows.size());
            }
            String diff = fieldDiff(e, rows.get(0), expected.enrichment());
            if (!diff.isEmpty()) {
                wrong.add(e.naturalKey() + ": " + diff);
            }
        }
        // session_id is the primary key of the contract's table, but verify may look at any table: check it anyway.
        Map<String, Integer> ids = new HashMap<>();
        actual.forEach(r -> ids.merge(String.valueOf(r.sessionId()), 1, Integer::sum));
        ids.forEach((id, n) -> {
            if (n > 1) {
                duplicated.add("session_id " + id + " x" + n);
            }
        });
        for (Map.Entry<String, List<SessionRow>> a : actualByKey.entrySet()) {
            if (!expectedByKey.containsKey(a.getKey())) {
                extra.add(describe(a.getValue().get(0)) + (a.getValue().size() > 1 ? " x" + a.getValue().size() : ""));
            }
        }

        List<String> accounting = new ArrayList<>();
        if (sumEventCount != expected.inSessions()) {
            accounting.add("sum(event_count)=" + sumEventCount + " but events in sessions = valid " + expected.valid()
                    + " - duplicates " + expected.duplicates() + " - late " + expected.late() + " = " + expected.inSessions());
        }
        if (expected.partitionMismatches() > 0) {
            accounting.add(expected.partitionMismatches() + " records were acknowledged on another partition than"
                    + " computed: wrong partition count?");
        }
        long dlq = -1;
        long late = -1;
        if (config.bootstrapServers() != null) {
            List<byte[]> dlqValues = readTopic(config.bootstrapServers(), config.topics().dlq());
            List<byte[]> lateValues = readTopic(config.bootstrapServers(), config.topics().late());
            dlq = dlqValues.size();
            late = lateValues.size();
            multisetDiff("DLQ", expected.invalidValues().stream().map(Verifier::valueKey).toList(),
                    dlqValues.stream().map(Verifier::valueKey).toList(), accounting);
            multisetDiff("late topic", expected.lateEvents(), lateValues.stream().map(Verifier::eventKey).toList(), accounting);
        }
        return new VerifyReport(expected.sessions().size(), actual.size(), expected.valid(), expected.inSessions(),
                expected.duplicates(), expected.late(), expected.invalid(), expected.nulls(), sumEventCount, dlq, late,
                missing, extra, duplicated, wrong, accounting, expected.invalidReasons());
    }

    /**
     * The contract's fields, compared one by one; closed_at only has to be set, session_id non-empty. The enrichment of
     * a user or landing page that changed during the load (see {@link EnrichmentHistory}) must be one of the values it
     * held, everything else exactly the expected value.
     */
    static String fieldDiff(SessionRow e, SessionRow a, EnrichmentHistory enrichment) {
        List<String> d = new ArrayList<>();
        check(d, "session_end", e.sessionEnd(), a.sessionEnd());
        check(d, "duration_ms", e.durationMs(), a.durationMs());
        check(d, "event_count", e.eventCount(), a.eventCount());
        check(d, "page_views", e.pageViews(), a.pageViews());
        check(d, "purchases", e.purchases(), a.purchases());
        if (a.revenue() == null || e.revenue().compareTo(a.revenue()) != 0) {
            d.add("revenue expected " + e.revenue() + " was " + a.revenue());
        }
        check(d, "landing_page", e.landingPage(), a.landingPage());
        check(d, "exit_page", e.exitPage(), a.exitPage());
        Set<String> categories = enrichment == null || e.landingPage() == null ? null
                : enrichment.categoriesHeld(e.landingPage());
        if (categories == null) {
            check(d, "landing_category", e.landingCategory(), a.landingCategory());
        } else if (!categories.contains(a.landingCategory())) {
            d.add("landing_category " + a.landingCategory() + " is none of the values its page held during the load "
                    + categories);
        }
        Set<ReferenceSessionizer.Profile> profiles = enrichment == null ? null : enrichment.profilesHeld(e.userId());
        if (profiles == null) {
            check(d, "country", e.country(), a.country());
            check(d, "segment", e.segment(), a.segment());
        } else if (!profiles.contains(new ReferenceSessionizer.Profile(a.country(), a.segment()))) {
            d.add("country/segment " + a.country() + "/" + a.segment()
                    + " is none of the profiles the user held during the load " + profiles);
        }
        check(d, "utm_source", e.utmSource(), a.utmSource());
        check(d, "utm_medium", e.utmMedium(), a.utmMedium());
        check(d, "utm_campaign", e.utmCampaign(), a.utmCampaign());
        check(d, "is_bounce", e.isBounce(), a.isBounce());
        if (a.closedAt() == null) {
            d.add("closed_at is null");
        }
        if (a.sessionId() == null || a.sessionId().isEmpty()) {
            d.add("session_id is empty");
        }
        return String.join(", ", d);
    }

    private static void check(List<String> diffs, String field, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            diffs.add(field + " expected " + expected + " was " + actual);
        }
    }

    private static String describe(SessionRow s) {
        return s.naturalKey() + " (events=" + s.eventCount() + ", end=" + s.sessionEnd()
                + (s.sessionId() == null ? "" : ", session_id=" + s.sessionId()) + ")";
    }

    private static void multisetDiff(String what, List<String> expected, List<String> actual, List<String> out) {
        if (expected.size() != actual.size()) {
            out.add(what + " holds " + actual.size() + " records, expected " + expected.size());
        }
        Map<String, Integer> counts = new HashMap<>();
        expected.forEach(k -> counts.merge(k, 1, Integer::sum));
        actual.forEach(k -> counts.merge(k, -1, Integer::sum));
        int listed = 0;
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            if (c.getValue() != 0 && listed++ < VerifyReport.LISTED) {
                out.add(what + (c.getValue() > 0 ? " lacks " : " has unexpected ") + Math.abs(c.getValue()) + "x " + c.getKey());
            }
        }
    }

    private static String valueKey(byte[] value) {
        if (value == null) {
            return "null";
        }
        String text = Jsonl.strictUtf8(value);
        return text != null ? abbreviate(text) + " #" + Integer.toHexString(java.util.Arrays.hashCode(value))
                : "base64:" + Base64.getEncoder().encodeToString(value);
    }

    private static String eventKey(byte[] value) {
        JsonNode v = json(value);
        if (v == null || !v.isObject()) {
            return "unparseable: " + valueKey(value);
        }
        return text(v, "user_id") + "/" + text(v, "event_id");
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    static List<SessionRow> readTable(VerifyConfig config) {
        if (!IDENTIFIER.matcher(config.table()).matches()) {
            throw new IllegalArgumentException("not a table name: " + config.table());
        }
        String sql = "select session_id, user_id, session_start, session_end, duration_ms, event_count, page_views,"
                + " purchases, revenue, landing_page, exit_page, landing_category, country, segment, utm_source,"
                + " utm_medium, utm_campaign, is_bounce, closed_at from " + config.table();
        List<SessionRow> rows = new ArrayList<>();
        try (Connection c = config.jdbcUser() == null ? DriverManager.getConnection(config.jdbcUrl())
                : DriverManager.getConnection(config.jdbcUrl(), config.jdbcUser(), config.jdbcPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(new SessionRow(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4), rs.getLong(5),
                        rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getBigDecimal(9), rs.getString(10),
                        rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15),
                        rs.getString(16), rs.getString(17), rs.getBoolean(18), instant(rs, 19)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read table " + config.table() + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Every committed record of a topic, from the beginning up to its last stable offset. */
    static List<byte[]> readTopic(String bootstrapServers, String topic) {
        return readRecords(bootstrapServers, topic).stream().map(ConsumerRecord::value).toList();
    }

    /** Every committed record of {@code topic}, from its first offset to its last stable offset at the call. */
    public static List<ConsumerRecord<byte[], byte[]>> readRecords(String bootstrapServers, String topic) {
        Map<String, Object> props = com.acme.clickstream.loadtest.KafkaSecurity.with(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        List<ConsumerRecord<byte[], byte[]>> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts); // read_committed: the last stable offsets
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end, Set.copyOf(parts))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r);
                }
            }
        }
        return values;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end, Set<TopicPartition> parts) {
        for (TopicPartition tp : parts) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    /** A record value as JSON, or null when it is absent or not JSON (EnrichmentHistory reads the same way). */
    static JsonNode json(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return MAPPER.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
    }

    /** A field's text, null when missing or JSON null. */
    static String text(JsonNode v, String field) {
        JsonNode n = v.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

}
