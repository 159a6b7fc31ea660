package com.acme.clickstream.loadtest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.SessionRow;
import com.acme.clickstream.loadtest.model.SessionRules;
import org.junit.jupiter.api.Test;

class ReferenceSessionizerTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final long WALL = Instant.parse("2026-11-25T12:00:00Z").toEpochMilli();
    private static final long MIN = 60_000;
    private static final SessionRules RULES = SessionRules.defaults();

    /** A click of user u at T0 + minutes (ms precision via plusMs). */
    private static SentRecord ev(String user, String id, long offsetMs) {
        return ev(user, id, offsetMs, "\"type\":\"click\"");
    }

    private static SentRecord ev(String user, String id, long offsetMs, String fields) {
        String json = "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"ts\":" + (T0.toEpochMilli() + offsetMs)
                + "," + fields + "}";
        return SentRecord.of(user, json, null);
    }

    private static Expectation run(SessionRules rules, int partitions, SentRecord... records) {
        ReferenceSessionizer ref = new ReferenceSessionizer(rules, partitions, WALL);
        for (SentRecord r : records) {
            ref.accept(r);
        }
        return ref.finish(Map.of(), Map.of());
    }

    private static List<Integer> sizes(Expectation e) {
        return e.sessions().stream().sorted(Comparator.comparing(SessionRow::sessionStart))
                .map(SessionRow::eventCount).toList();
    }

    @Test
    void gapOfExactlyTheInactivityGapKeepsTheSession() {
        long gap = RULES.inactivityGap().toMillis();
        assertThat(sizes(run(RULES, 1, ev("u", "a", 0), ev("u", "b", gap)))).containsExactly(2);
        assertThat(sizes(run(RULES, 1, ev("u", "a", 0), ev("u", "b", gap + 1)))).containsExactly(1, 1);
    }

    @Test
    void maxDurationIsExclusive() {
        SessionRules rules = RULES.withMaxDuration(Duration.ofMinutes(60));
        // events every 20 minutes: 0, 20, 40 | 60 (= start + max: starts a new session), 80
        SentRecord[] in = {ev("u", "a", 0), ev("u", "b", 20 * MIN), ev("u", "c", 40 * MIN), ev("u", "d", 60 * MIN), ev("u", "e", 80 * MIN)};
        assertThat(sizes(run(rules, 1, in))).containsExactly(3, 2);
        SentRecord[] justBelow = {ev("u", "a", 0), ev("u", "b", 30 * MIN), ev("u", "c", 60 * MIN - 1)};
        assertThat(sizes(run(rules, 1, justBelow))).containsExactly(3);
    }

    @Test
    void finalExactlyAtGapPlusGrace() {
        long close = RULES.closeAfterMs(); // 32 min
        // u's session [0] is final once stream time >= 32 min. Another user's event moves stream time.
        Expectation notYet = run(RULES, 1, ev("u", "a", 0), ev("v", "x", close - 1), ev("u", "b", 30 * MIN));
        assertThat(notYet.late()).isZero();
        assertThat(sizes(notYet)).containsExactly(2, 1);
        Expectation atLimit = run(RULES, 1, ev("u", "a", 0), ev("v", "x", close), ev("u", "b", 30 * MIN));
        assertThat(atLimit.lateEvents()).containsExactly("u/b");
        assertThat(atLimit.inSessions()).isEqualTo(2);
    }

    @Test
    void streamTimeIsPerPartition() {
        long close = RULES.closeAfterMs();
        // "v" on another partition cannot finalise u's session.
        String other = otherPartitionUser("u", 2);
        Expectation e = run(RULES, 2, ev("u", "a", 0), ev(other, "x", 10 * close), ev("u", "b", 30 * MIN));
        assertThat(e.late()).isZero();
        assertThat(e.inSessions()).isEqualTo(3);
    }

    @Test
    void tooLateKinds() {
        long close = RULES.closeAfterMs();
        long later = 100 * MIN;
        // before a final session, inside it, extending it backwards and forwards, a lone event final on arrival
        Expectation e = run(RULES, 1,
                ev("u", "a", 10 * MIN), ev("u", "b", 20 * MIN), ev("v", "x", later),
                ev("u", "c", 15 * MIN), ev("u", "d", 5 * MIN), ev("u", "f", 45 * MIN),
                ev("w", "lone", later - close), ev("w", "fresh", later - close + 1));
        assertThat(e.lateEvents()).containsExactly("u/c", "u/d", "u/f", "w/lone");
        assertThat(e.duplicates()).isZero();
        assertThat(e.valid()).isEqualTo(8);
        assertThat(e.inSessions()).isEqualTo(4);
    }

    @Test
    void joiningAFinalSessionToAnOpenOneIsTooLate() {
        long gap = RULES.inactivityGap().toMillis();
        // session A [0], final at 32 min; session B [50 min] open; an event at 25 min would join them
        Expectation e = run(RULES, 1, ev("u", "a", 0), ev("u", "b", 50 * MIN), ev("u", "j", 25 * MIN));
        assertThat(e.lateEvents()).containsExactly("u/j");
        // the same join while A is still open is fine: one session of three
        Expectation open = run(RULES, 1, ev("u", "a", 0), ev("u", "b", gap + 60_000), ev("u", "j", gap / 2));
        assertThat(sizes(open)).containsExactly(3);
    }

    @Test
    void outOfOrderWithinGraceIsAccepted() {
        // stream time 31 min, u's session last at 0: not final (needs 32); an event at 1 min extends it
        Expectation e = run(RULES, 1, ev("u", "a", 0), ev("v", "x", 31 * MIN), ev("u", "b", MIN));
        assertThat(e.late()).isZero();
        assertThat(sizes(e)).containsExactly(2, 1);
    }

    @Test
    void dedupWindowBoundaryAndDuplicatesOfLateEvents() {
        long window = RULES.dedupWindow().toMillis();
        // copy at stream time = first ts + window: duplicate; at + window + 1: a new event (here: too late)
        Expectation in = run(RULES, 1, ev("u", "a", 0), ev("v", "x", window), ev("u", "a", 0));
        assertThat(in.duplicates()).isEqualTo(1);
        assertThat(in.late()).isZero();
        Expectation out = run(RULES, 1, ev("u", "a", 0), ev("v", "x", window + 1), ev("u", "a", 0));
        assertThat(out.duplicates()).isZero();
        assertThat(out.lateEvents()).containsExactly("u/a");
        // a copy of a too-late event is a duplicate, not late again; other fields do not matter
        Expectation lateCopy = run(RULES, 1, ev("v", "x", 40 * MIN), ev("u", "old", 0), ev("u", "old", 0, "\"type\":\"purchase\""));
        assertThat(lateCopy.lateEvents()).containsExactly("u/old");
        assertThat(lateCopy.duplicates()).isEqualTo(1);
        assertThat(lateCopy.inSessions()).isEqualTo(1);
    }

    @Test
    void sameUserEventIdOfAnotherUserIsNoDuplicate() {
        Expectation e = run(RULES, 1, ev("u", "a", 0), ev("v", "a", 0));
        assertThat(e.duplicates()).isZero();
        assertThat(e.sessions()).hasSize(2);
    }

    @Test
    void orderByTsThenEventId() {
        // equal ts: event_id decides which is first (landing page)
        Expectation e = run(RULES, 1,
                ev("u", "b", 0, "\"type\":\"page_view\",\"url\":\"/second\""),
                ev("u", "a", 0, "\"type\":\"page_view\",\"url\":\"/first\""));
        SessionRow s = e.sessions().get(0);
        assertThat(s.landingPage()).isEqualTo("/first");
        assertThat(s.exitPage()).isEqualTo("/second");
    }

    @Test
    void campaignSplitOnlyWhenEnabled() {
        SentRecord[] in = {
                ev("u", "a", 0),
                ev("u", "b", MIN, "\"type\":\"click\",\"utm_source\":\"google\",\"utm_medium\":\"cpc\""),
                ev("u", "c", 2 * MIN, "\"type\":\"click\",\"utm_source\":\"\""),
                ev("u", "d", 3 * MIN, "\"type\":\"click\",\"utm_source\":\"google\",\"utm_medium\":\"cpc\""),
                ev("u", "e", 4 * MIN, "\"type\":\"click\",\"utm_source\":\"google\",\"utm_medium\":\"email\"")};
        assertThat(sizes(run(RULES, 1, in))).containsExactly(5);
        // a (no campaign) | b c d (google/cpc; c has none, d the same) | e (different medium)
        Expectation split = run(RULES.withSplitOnCampaign(true), 1, in);
        assertThat(sizes(split)).containsExactly(1, 3, 1);
        SessionRow middle = split.sessions().stream().filter(s -> s.eventCount() == 3).findFirst().orElseThrow();
        assertThat(middle.utmSource()).isEqualTo("google");
        assertThat(middle.utmMedium()).isEqualTo("cpc");
        assertThat(middle.utmCampaign()).isNull();
    }

    @Test
    void dayBoundaryInTheZone() {
        // 22:50Z and 23:10Z are 23:50 and 00:10 in Berlin (UTC+1 in November)
        long base = Instant.parse("2026-11-24T22:50:00Z").toEpochMilli() - T0.toEpochMilli();
        SentRecord[] in = {ev("u", "a", base), ev("u", "b", base + 20 * MIN)};
        assertThat(sizes(run(RULES, 1, in))).containsExactly(2);
        assertThat(sizes(run(RULES.withDayBoundaryZone(ZoneId.of("Europe/Berlin")), 1, in))).containsExactly(1, 1);
        assertThat(sizes(run(RULES.withDayBoundaryZone(ZoneId.of("UTC")), 1, in))).containsExactly(2);
    }

    @Test
    void sessionFieldsAndEnrichment() {
        ReferenceSessionizer ref = new ReferenceSessionizer(RULES, 3, WALL);
        ref.accept(ev("u", "1", 0, "\"type\":\"page_view\",\"url\":\"https://shop.example.com/p/42?x=1#top\",\"utm_source\":\"news\",\"utm_campaign\":\"nov\""));
        ref.accept(ev("u", "2", MIN, "\"type\":\"purchase\",\"amount\":19.99"));
        ref.accept(ev("u", "3", 2 * MIN, "\"type\":\"purchase\",\"amount\":0.01"));
        ref.accept(ev("u", "4", 3 * MIN, "\"type\":\"purchase\""));
        ref.accept(ev("u", "5", 4 * MIN, "\"type\":\"add_to_cart\",\"amount\":5.00,\"utm_source\":\"other\""));
        ref.accept(ev("u", "6", 5 * MIN, "\"type\":\"page_view\",\"url\":\"/cart\""));
        ref.accept(SentRecord.of("u", null, null));
        ref.accept(SentRecord.of("u", "{", null));
        Expectation e = ref.finish(Map.of("u", new ReferenceSessionizer.Profile("DE", "vip")), Map.of("/p/42", "shoes"));
        assertThat(e.sessions()).containsExactly(new SessionRow(null, "u", T0, T0.plusSeconds(300), 300_000, 6, 2, 3,
                new BigDecimal("20.00"), "/p/42", "/cart", "shoes", "DE", "vip", "news", null, "nov", false, null));
        assertThat(e.nulls()).isEqualTo(1);
        assertThat(e.invalid()).isEqualTo(1);
        assertThat(e.valid()).isEqualTo(6);
    }

    @Test
    void bounceWithoutPageViewHasNullPagesAndUnknownProfile() {
        Expectation e = run(RULES, 1, ev("u", "a", 0));
        assertThat(e.sessions()).containsExactly(new SessionRow(null, "u", T0, T0, 0, 1, 0, 0, new BigDecimal("0.00"),
                null, null, null, null, null, null, null, null, true, null));
    }

    @Test
    void misKeyedRecordsAreSessionizedOnTheUserIdsPartition() {
        long close = RULES.closeAfterMs();
        String other = otherPartitionUser("u", 4);
        // the key says "other" (another partition, whose stream time is far ahead): it must not make u's event late
        SentRecord misKeyed = new SentRecord(other, ev("u", "b", MIN).value(), -1, -1, 0, null);
        Expectation e = run(RULES, 4, ev("u", "a", 0), ev(other, "x", 10 * close), misKeyed,
                new SentRecord(null, ev("u", "c", 2 * MIN).value(), -1, -1, 0, null));
        assertThat(e.late()).isZero();
        assertThat(sizes(e)).containsExactly(3, 1);
    }

    @Test
    void partitionOfIsKafkasDefaultPartitioner() {
        // murmur2("u000001") as Kafka's BuiltInPartitioner computes it
        int expected = org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2("u000001".getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 6;
        assertThat(ReferenceSessionizer.partitionOf("u000001", 6)).isEqualTo(expected);
        assertThat(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                "u000001".getBytes(java.nio.charset.StandardCharsets.UTF_8), 6)).isEqualTo(expected);
    }

    private static String otherPartitionUser(String user, int partitions) {
        int p = ReferenceSessionizer.partitionOf(user, partitions);
        for (int i = 0; ; i++) {
            if (ReferenceSessionizer.partitionOf("o" + i, partitions) != p) {
                return "o" + i;
            }
        }
    }
}
