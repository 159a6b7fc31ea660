package com.acme.clickstream.sessionizer.model;

import com.acme.clickstream.sessionizer.streams.SessionRules;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRulesEngineTest {

    static final long T0 = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;
    static final SessionRules DEFAULTS = SessionRules.defaults();

    static Event ev(String id, long ts) {
        return new Event(ts, id, "click", null, null, null, null, null);
    }

    static Event utm(String id, long ts, String source, String medium, String campaign) {
        return new Event(ts, id, "click", null, null, source, medium, campaign);
    }

    /** Session sizes (event ids per session) of a split without previous context. */
    static List<List<String>> ids(SessionRules rules, Event... events) {
        List<Event> sorted = new ArrayList<>(List.of(events));
        sorted.sort(Event.ORDER);
        SessionRulesEngine.Split split = SessionRulesEngine.split(sorted, null, rules);
        assertThat(split.joinsFinal()).isEmpty();
        List<List<String>> out = new ArrayList<>();
        for (List<Event> s : split.sessions()) {
            out.add(s.stream().map(Event::eventId).toList());
        }
        return out;
    }

    @Test
    void gapEqualToInactivityGapStaysInSession() {
        assertThat(ids(DEFAULTS, ev("a", T0), ev("b", T0 + 30 * MIN)))
                .containsExactly(List.of("a", "b"));
    }

    @Test
    void gapOneMillisecondLongerStartsNewSession() {
        assertThat(ids(DEFAULTS, ev("a", T0), ev("b", T0 + 30 * MIN + 1)))
                .containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void eventReachingMaxDurationStartsNewSession() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i <= 24; i++) {
            events.add(ev(String.format("e%02d", i), T0 + i * 30 * MIN)); // exactly 12 h at i = 24
        }
        List<List<String>> s = ids(DEFAULTS, events.toArray(Event[]::new));
        assertThat(s).hasSize(2);
        assertThat(s.get(0)).hasSize(24).endsWith("e23");
        assertThat(s.get(1)).containsExactly("e24");
    }

    @Test
    void eventOneMillisecondBeforeMaxDurationStaysInSession() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            events.add(ev(String.format("e%02d", i), T0 + i * 30 * MIN));
        }
        events.add(ev("last", T0 + 12 * 60 * MIN - 1));
        assertThat(ids(DEFAULTS, events.toArray(Event[]::new))).hasSize(1);
    }

    @Test
    void campaignRuleOffNeverSplits() {
        assertThat(ids(DEFAULTS, utm("a", T0, "google", "cpc", "x"), utm("b", T0 + MIN, "bing", "cpc", "x")))
                .containsExactly(List.of("a", "b"));
    }

    @Test
    void campaignRuleOnSplitsOnDifferentCampaign() {
        SessionRules rules = DEFAULTS.withSplitOnCampaign(true);
        assertThat(ids(rules,
                utm("a", T0, "google", "cpc", "x"),
                utm("b", T0 + MIN, "google", "cpc", "x"),
                utm("c", T0 + 2 * MIN, "google", "cpc", "y"),
                utm("d", T0 + 3 * MIN, "google", null, "y")))
                .containsExactly(List.of("a", "b"), List.of("c"), List.of("d"));
    }

    @Test
    void eventWithoutUtmSourceNeverSplits() {
        SessionRules rules = DEFAULTS.withSplitOnCampaign(true);
        assertThat(ids(rules,
                utm("a", T0, "google", "cpc", "x"),
                ev("b", T0 + MIN),
                utm("c", T0 + 2 * MIN, null, "cpc", "other")))
                .containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void noCampaignCountsAsDifferent() {
        SessionRules rules = DEFAULTS.withSplitOnCampaign(true);
        assertThat(ids(rules, ev("a", T0), utm("b", T0 + MIN, "google", "cpc", "x")))
                .containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void sessionCampaignIsFirstEventWithUtmSource() {
        List<Event> s = List.of(ev("a", T0), utm("b", T0 + 1, "mail", null, "spring"),
                utm("c", T0 + 2, "google", "cpc", "x"));
        assertThat(SessionRulesEngine.campaignOf(s)).isEqualTo(new Campaign("mail", null, "spring"));
        assertThat(SessionRulesEngine.campaignOf(List.of(ev("a", T0)))).isNull();
    }

    @Test
    void dayBoundaryInBerlinSplitsAtLocalMidnight() {
        SessionRules rules = DEFAULTS.withDayBoundaryZone(ZoneId.of("Europe/Berlin"));
        long localMidnight = Instant.parse("2026-11-24T23:00:00Z").toEpochMilli(); // 00:00 CET on the 25th
        assertThat(ids(rules, ev("a", localMidnight - 2 * MIN), ev("b", localMidnight - 1),
                ev("c", localMidnight), ev("d", localMidnight + MIN)))
                .containsExactly(List.of("a", "b"), List.of("c", "d"));
        // UTC midnight is not a boundary in Berlin.
        long utcMidnight = Instant.parse("2026-11-25T00:00:00Z").toEpochMilli();
        assertThat(ids(rules, ev("a", utcMidnight - MIN), ev("b", utcMidnight + MIN)))
                .containsExactly(List.of("a", "b"));
        // Without the rule, local midnight is not a boundary.
        assertThat(ids(DEFAULTS, ev("a", localMidnight - 1), ev("b", localMidnight)))
                .containsExactly(List.of("a", "b"));
    }

    @Test
    void tiesOnTsAreOrderedByEventIdOrdinal() {
        // "B" < "a" in ordinal order; with the campaign rule the order decides the split.
        SessionRules rules = DEFAULTS.withSplitOnCampaign(true);
        List<List<String>> s = ids(rules, utm("a", T0, "x", null, null), utm("B", T0, "y", null, null));
        assertThat(s).containsExactly(List.of("B"), List.of("a"));
        List<Event> sorted = new ArrayList<>(List.of(ev("b", T0), ev("a", T0), ev("Z", T0), ev("a0", T0 - 1)));
        sorted.sort(Event.ORDER);
        assertThat(sorted.stream().map(Event::eventId)).containsExactly("a0", "Z", "a", "b");
    }

    @Test
    void eventWithinGapOfFinalContextJoinsFinal() {
        FinalContext fin = new FinalContext(T0 - 10 * MIN, T0, "z", null);
        SessionRulesEngine.Split split = SessionRulesEngine.split(List.of(ev("a", T0 + 30 * MIN),
                ev("b", T0 + 90 * MIN)), fin, DEFAULTS);
        assertThat(split.joinsFinal()).extracting(Event::eventId).containsExactly("a");
        assertThat(split.sessions()).hasSize(1);
        assertThat(split.sessions().get(0)).extracting(Event::eventId).containsExactly("b");

        SessionRulesEngine.Split apart = SessionRulesEngine.split(List.of(ev("a", T0 + 30 * MIN + 1)), fin, DEFAULTS);
        assertThat(apart.joinsFinal()).isEmpty();
        assertThat(apart.sessions()).hasSize(1);
    }

    @Test
    void finalContextCarriesMaxDurationAndCampaign() {
        FinalContext fin = new FinalContext(T0 - 12 * 60 * MIN + MIN, T0, "z", new Campaign("google", null, null));
        // Within the gap but at 12 h from the final session's start: new session.
        assertThat(SessionRulesEngine.split(List.of(ev("a", T0 + MIN)), fin, DEFAULTS).joinsFinal()).isEmpty();
        assertThat(SessionRulesEngine.split(List.of(ev("a", T0 + MIN - 1)), fin, DEFAULTS).joinsFinal()).hasSize(1);
        SessionRules campaign = DEFAULTS.withSplitOnCampaign(true);
        assertThat(SessionRulesEngine.split(List.of(utm("a", T0 + 1, "bing", null, null)), fin, campaign)
                .joinsFinal()).isEmpty();
        assertThat(SessionRulesEngine.split(List.of(utm("a", T0 + 1, "google", null, null)), fin, campaign)
                .joinsFinal()).hasSize(1);
    }
}
