package com.acme.clickstream.sessionizer.model;

import com.acme.clickstream.sessionizer.streams.SessionRules;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The contract's session definition as a pure function over a user's events. */
public final class SessionRulesEngine {

    /**
     * @param joinsFinal events that would continue the previous final session (they are too late)
     * @param sessions   the sessions formed by the remaining events, in order
     */
    public record Split(List<Event> joinsFinal, List<List<Event>> sessions) {
    }

    private SessionRulesEngine() {
    }

    /**
     * Splits events into sessions.
     *
     * @param sorted   events ordered by {@link Event#ORDER}, none ordering before {@code previous}'s last event
     * @param previous the user's last final session, or null
     */
    public static Split split(List<Event> sorted, FinalContext previous, SessionRules rules) {
        List<Event> joinsFinal = new ArrayList<>(0);
        List<List<Event>> sessions = new ArrayList<>();
        List<Event> current = null;
        long start = 0;
        long prevTs = 0;
        Campaign campaign = null;
        boolean inFinal = false;
        if (previous != null) {
            start = previous.start();
            prevTs = previous.lastTs();
            campaign = previous.campaign();
            inFinal = true;
        }
        boolean any = previous != null;
        for (Event e : sorted) {
            if (!any || startsNewSession(start, campaign, prevTs, e, rules)) {
                current = new ArrayList<>();
                sessions.add(current);
                start = e.ts();
                campaign = null;
                inFinal = false;
                any = true;
            }
            if (campaign == null) {
                campaign = Campaign.of(e);
            }
            (inFinal ? joinsFinal : current).add(e);
            prevTs = e.ts();
        }
        return new Split(joinsFinal, sessions);
    }

    /**
     * Whether {@code e} starts a new session after an event at {@code prevTs} of a session that started at
     * {@code sessionStart} with the given campaign (null: none so far).
     */
    public static boolean startsNewSession(long sessionStart, Campaign sessionCampaign, long prevTs, Event e,
                                           SessionRules rules) {
        if (e.ts() - prevTs > rules.gapMs()) {
            return true;
        }
        if (e.ts() - sessionStart >= rules.maxDurationMs()) {
            return true;
        }
        if (rules.splitOnCampaign() && e.utmSource() != null
                && !Objects.equals(Campaign.of(e), sessionCampaign)) {
            return true;
        }
        if (rules.dayBoundaryZone().isPresent()) {
            ZoneId zone = rules.dayBoundaryZone().get();
            return localEpochDay(e.ts(), zone) != localEpochDay(prevTs, zone);
        }
        return false;
    }

    /** The campaign of a session: that of its first event with a non-empty utm_source, or null. */
    public static Campaign campaignOf(List<Event> session) {
        for (Event e : session) {
            if (e.utmSource() != null) {
                return Campaign.of(e);
            }
        }
        return null;
    }

    private static long localEpochDay(long ts, ZoneId zone) {
        long seconds = Math.floorDiv(ts, 1000L)
                + zone.getRules().getOffset(Instant.ofEpochMilli(ts)).getTotalSeconds();
        return Math.floorDiv(seconds, 86_400L);
    }
}
