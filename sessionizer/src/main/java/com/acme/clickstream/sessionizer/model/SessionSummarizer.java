package com.acme.clickstream.sessionizer.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** Builds the contract's session fields from a session's events (pure). */
public final class SessionSummarizer {

    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2, RoundingMode.UNNECESSARY);

    private SessionSummarizer() {
    }

    /**
     * @param events   the session's events in {@link Event#ORDER}, at least one
     * @param profile  the user's profile, or null when unknown
     * @param pages    page info by page path (returns null when unknown)
     * @param closedAt wall-clock time the session became final, null for an open session
     */
    public static Session summarize(String userId, List<Event> events, UserProfile profile,
                                    Function<String, PageInfo> pages, Long closedAt) {
        Event first = events.get(0);
        Event last = events.get(events.size() - 1);
        int pageViews = 0;
        int purchases = 0;
        BigDecimal revenue = ZERO;
        String landing = null;
        String exit = null;
        Event utm = null;
        for (Event e : events) {
            if (e.isPageView()) {
                pageViews++;
                if (landing == null) {
                    landing = e.pagePath();
                }
                exit = e.pagePath();
            } else if (e.isPurchase()) {
                purchases++;
                if (e.amount() != null) {
                    revenue = revenue.add(e.amount());
                }
            }
            if (utm == null && e.utmSource() != null) {
                utm = e;
            }
        }
        PageInfo landingInfo = landing == null ? null : pages.apply(landing);
        return new Session(
                sessionId(userId, first.ts(), first.eventId()),
                userId,
                Instant.ofEpochMilli(first.ts()),
                Instant.ofEpochMilli(last.ts()),
                last.ts() - first.ts(),
                events.size(),
                pageViews,
                purchases,
                revenue.setScale(2, RoundingMode.UNNECESSARY),
                landing,
                exit,
                landingInfo == null ? null : landingInfo.category(),
                profile == null ? null : profile.country(),
                profile == null ? null : profile.segment(),
                utm == null ? null : utm.utmSource(),
                utm == null ? null : utm.utmMedium(),
                utm == null ? null : utm.utmCampaign(),
                events.size() == 1,
                closedAt == null ? null : Instant.ofEpochMilli(closedAt));
    }

    /**
     * Name-based (v3) UUID of (user_id, session_start, first event_id). The first event id is included because
     * with split-on-campaign two sessions of a user can start at the same ts; U+0000 separates the parts as
     * no valid string contains it.
     */
    public static String sessionId(String userId, long sessionStart, String firstEventId) {
        String name = userId + '\u0000' + sessionStart + '\u0000' + firstEventId;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
