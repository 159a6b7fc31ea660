package com.acme.clickstream.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.verify.EventValidator;
import com.acme.clickstream.loadtest.verify.Expectation;
import com.acme.clickstream.loadtest.verify.ReferenceSessionizer;
import org.junit.jupiter.api.Test;

class EventPlannerTest {
    private static final int PARTITIONS = 3;
    /** A fixed "sent at" wall clock: the planner's event times must all be valid against it. */
    private static final long SENT_AT = Instant.parse("2026-11-25T09:00:00Z").toEpochMilli();

    private static GeneratorConfig config(long seed, long count) {
        return GeneratorConfig.defaults("unused:9092", Path.of("unused")).withSeed(seed).withCount(count)
                .withRate(200).withUsers(500).withPartitions(PARTITIONS);
    }

    private static List<SentRecord> plan(GeneratorConfig c, EventPlanner[] plannerOut) {
        EventPlanner p = new EventPlanner(c, PARTITIONS);
        List<SentRecord> out = new ArrayList<>();
        while (p.hasNext()) {
            SentRecord r = p.next();
            out.add(new SentRecord(r.key(), r.value(), -1, -1, SENT_AT, r.kind()));
        }
        if (plannerOut != null) {
            plannerOut[0] = p;
        }
        return out;
    }

    @Test
    void sameSeedSameRecords() {
        List<SentRecord> a = plan(config(7, 5000), null);
        List<SentRecord> b = plan(config(7, 5000), null);
        assertThat(a).hasSize(5000).isEqualTo(b);
        assertThat(a.stream().map(Jsonl::toLine).toList()).isEqualTo(b.stream().map(Jsonl::toLine).toList());
        assertThat(new EventPlanner(config(7, 1), PARTITIONS).userRecords())
                .isEqualTo(new EventPlanner(config(7, 1), PARTITIONS).userRecords());
        assertThat(plan(config(8, 5000), null)).isNotEqualTo(a);
    }

    @Test
    void exactCountsPerKindForASeed() {
        EventPlanner[] p = new EventPlanner[1];
        List<SentRecord> records = plan(config(42, 20_000), p);
        Map<String, Long> byKind = p[0].sentByKind();
        // the default ratios 2 % / 5 % / 1 % / 1 % / 1 % / 0.5 % of 20 000 records, each at most one record behind
        assertThat(byKind).containsExactlyInAnyOrderEntriesOf(Map.of(
                "duplicate", 399L, "out_of_order", 999L, "late", 199L, "invalid", 199L, "miskeyed", 199L, "null", 99L,
                "normal", 17_906L));
        assertThat(records).hasSize(20_000);
        assertThat(records.stream().filter(r -> r.kind().equals("late")).count()).isEqualTo(199);
        assertThat(records.stream().filter(r -> r.kind().equals("miskeyed") && r.key() == null).count()).isBetween(60L, 140L);
    }

    @Test
    void everyMalformedKindIsSentAndInvalidAndEverythingElseIsValid() {
        List<SentRecord> records = plan(config(3, 10_000), null);
        EventValidator validator = new EventValidator(3_600_000);
        Set<String> badKinds = new HashSet<>();
        for (SentRecord r : records) {
            EventValidator.Result v = validator.validate(r.value(), SENT_AT);
            if (r.kind().startsWith(EventPlanner.INVALID_PREFIX)) {
                assertThat(v.invalidReason()).as(r.toString()).isNotNull();
                badKinds.add(r.kind());
            } else if (r.kind().equals("null")) {
                assertThat(v.isNull()).isTrue();
            } else {
                assertThat(v.event()).as(r.toString() + " " + v.invalidReason()).isNotNull();
            }
        }
        assertThat(badKinds).hasSize(Malformed.KINDS.size());
    }

    @Test
    void theReferenceSeesExactlyTheOddRecordsThePlannerMeant() {
        EventPlanner[] p = new EventPlanner[1];
        GeneratorConfig c = config(11, 30_000);
        List<SentRecord> records = plan(c, p);
        ReferenceSessionizer ref = new ReferenceSessionizer(c.rules(), PARTITIONS, SENT_AT);
        records.forEach(ref::accept);
        Expectation e = ref.finish(Map.of(), Map.of());
        Map<String, Long> k = p[0].sentByKind();
        List<String> plannedLate = records.stream().filter(r -> r.kind().equals("late")).map(EventPlannerTest::userEvent).toList();
        assertThat(e.lateEvents()).isEqualTo(plannedLate);
        assertThat(e.duplicates()).isEqualTo(k.get("duplicate"));
        assertThat(e.invalid()).isEqualTo(k.get("invalid"));
        assertThat(e.nulls()).isEqualTo(k.get("null"));
        assertThat(e.inSessions()).isEqualTo(k.get("normal") + k.get("out_of_order") + k.get("miskeyed"));
        assertThat(e.sessions().size()).isBetween(1000, 30_000);
        // realism: sessions of several events, some bounces, purchases with revenue, known and unknown categories
        assertThat(e.sessions().stream().filter(s -> s.isBounce()).count()).isGreaterThan(50);
        assertThat(e.sessions().stream().filter(s -> s.eventCount() >= 5).count()).isGreaterThan(200);
        assertThat(e.sessions().stream().filter(s -> s.purchases() > 0).count()).isGreaterThan(50);
        assertThat(e.sessions().stream().filter(s -> s.utmSource() != null).count()).isGreaterThan(50);
    }

    @Test
    void oddRecordsStayUnambiguousWithCampaignAndDaySplits() {
        GeneratorConfig c = config(5, 20_000).withRules(com.acme.clickstream.loadtest.model.SessionRules.defaults()
                .withSplitOnCampaign(true).withDayBoundaryZone(java.time.ZoneId.of("Europe/Berlin")));
        EventPlanner[] p = new EventPlanner[1];
        List<SentRecord> records = plan(c, p);
        ReferenceSessionizer ref = new ReferenceSessionizer(c.rules(), PARTITIONS, SENT_AT);
        records.forEach(ref::accept);
        Expectation e = ref.finish(Map.of(), Map.of());
        assertThat(e.late()).isEqualTo(p[0].sentByKind().get("late"));
        assertThat(e.duplicates()).isEqualTo(p[0].sentByKind().get("duplicate"));
    }

    /**
     * The harder cases: events that would join or extend a user's final session are exactly the reference's too-late
     * events besides the isolated ones, and copies of older events (often of final sessions) are duplicates, also
     * with the optional rules on.
     */
    @Test
    void hardCasesAreWhatTheReferenceJudges() {
        for (com.acme.clickstream.loadtest.model.SessionRules rules : List.of(
                com.acme.clickstream.loadtest.model.SessionRules.defaults(),
                com.acme.clickstream.loadtest.model.SessionRules.defaults().withSplitOnCampaign(true)
                        .withDayBoundaryZone(java.time.ZoneId.of("Asia/Kolkata")))) {
            GeneratorConfig c = config(13, 30_000).withRules(rules)
                    .withRatios(Ratios.defaults().withHardCases(0.02, 0.02));
            EventPlanner[] p = new EventPlanner[1];
            List<SentRecord> records = plan(c, p);
            Map<String, Long> k = p[0].sentByKind();
            assertThat(k.get(EventPlanner.LATE_INTO_SESSION)).isBetween(599L, 600L);
            assertThat(k.get(EventPlanner.STALE_DUPLICATE)).isBetween(599L, 600L);
            ReferenceSessionizer ref = new ReferenceSessionizer(c.rules(), PARTITIONS, SENT_AT);
            records.forEach(ref::accept);
            Expectation e = ref.finish(Map.of(), Map.of());
            List<String> plannedLate = records.stream()
                    .filter(r -> r.kind().equals("late") || r.kind().equals(EventPlanner.LATE_INTO_SESSION))
                    .map(EventPlannerTest::userEvent).toList();
            assertThat(e.lateEvents()).as(rules.toString()).isEqualTo(plannedLate);
            assertThat(e.duplicates()).isEqualTo(k.get("duplicate") + k.get(EventPlanner.STALE_DUPLICATE));
            assertThat(e.inSessions()).isEqualTo(k.get("normal") + k.get("out_of_order") + k.get("miskeyed"));
        }
    }

    /**
     * Marathon users click from the first record to the last without a gap, for longer than the max duration: the
     * reference cuts their sessions at the max duration, and nobody else's (ordinary visits never last that long).
     * The rules and shape of the end-to-end tests, at 60 event seconds per wall second.
     */
    @Test
    void theReferenceCutsSessionsAtMaxDurationForExactlyTheMarathonUsers() {
        com.acme.clickstream.loadtest.model.SessionRules rules = com.acme.clickstream.loadtest.model.SessionRules.fromEnv(
                Map.of("SESSIONIZER_INACTIVITY_GAP", "PT10S", "SESSIONIZER_GRACE", "PT2S",
                        "SESSIONIZER_MAX_DURATION", "PT5M"));
        // 3000 records at 100/s, 60 event seconds per wall second: 30 minutes of event time, 6 × the max duration.
        GeneratorConfig c = new GeneratorConfig("unused:9092", com.acme.clickstream.loadtest.model.Topics.defaults(),
                Path.of("unused"), 100, 3000, null, 31, Instant.parse("2026-11-24T00:00:00Z"), 60, 300, 60, 1.1,
                Ratios.defaults().withHardCases(0.01, 0.01).withMarathonUsers(3), rules, PARTITIONS,
                java.time.Duration.ofMinutes(2), java.time.Duration.ofSeconds(2), null);
        EventPlanner[] p = new EventPlanner[1];
        List<SentRecord> records = plan(c, p);
        List<String> marathon = p[0].marathonUserIds();
        assertThat(marathon).containsExactly("u000075", "u000150", "u000225");
        ReferenceSessionizer ref = new ReferenceSessionizer(rules, PARTITIONS, SENT_AT);
        records.forEach(ref::accept);
        Expectation e = ref.finish(Map.of(), Map.of());

        long gap = rules.inactivityGap().toMillis();
        long max = rules.maxDuration().toMillis();
        Map<String, List<com.acme.clickstream.loadtest.model.SessionRow>> byUser = new java.util.TreeMap<>();
        e.sessions().forEach(s -> byUser.computeIfAbsent(s.userId(), u -> new ArrayList<>()).add(s));
        Map<String, Integer> cuts = new java.util.TreeMap<>();
        byUser.forEach((user, sessions) -> {
            sessions.sort(java.util.Comparator.comparing(com.acme.clickstream.loadtest.model.SessionRow::sessionStart));
            for (int i = 1; i < sessions.size(); i++) {
                var before = sessions.get(i - 1);
                var next = sessions.get(i);
                // Cut by max duration: no inactivity gap between the two, and the next one starts M or more after.
                if (next.sessionStart().toEpochMilli() - before.sessionEnd().toEpochMilli() <= gap
                        && next.sessionStart().toEpochMilli() - before.sessionStart().toEpochMilli() >= max) {
                    cuts.merge(user, 1, Integer::sum);
                }
            }
        });
        // Each marathon user's run of 30 minutes: five cuts, six sessions, the first five less than a gap short of M.
        assertThat(cuts).isEqualTo(Map.of("u000075", 5, "u000150", 5, "u000225", 5));
        for (String user : marathon) {
            assertThat(byUser.get(user)).hasSize(6);
            assertThat(byUser.get(user).subList(0, 5)).allSatisfy(s ->
                    assertThat(s.durationMs()).isBetween(max - gap, max - 1));
        }
        long marathonEvents = p[0].sentByKind().get(EventPlanner.MARATHON);
        assertThat(byUser.entrySet().stream().filter(u -> marathon.contains(u.getKey()))
                .flatMap(u -> u.getValue().stream()).mapToLong(s -> s.eventCount()).sum())
                .as("every marathon event is in a session of its user, none too late")
                .isEqualTo(marathonEvents);
        // Marathon records do not count against the odd records' shares.
        assertThat(e.late()).isEqualTo(p[0].sentByKind().get("late") + p[0].sentByKind().get(EventPlanner.LATE_INTO_SESSION));
    }

    private static String userEvent(SentRecord r) {
        String v = r.valueText();
        String user = v.replaceAll(".*\"user_id\":\"([^\"]+)\".*", "$1");
        String id = v.replaceAll(".*\"event_id\":\"([^\"]+)\".*", "$1");
        return user + "/" + id;
    }
}
