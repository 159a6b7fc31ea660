package com.acme.clickstream.sessionizer.model;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** Builds the contract's session fields from a session's events (pure). */
public final class SessionSummarizer {

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
        return SessionSummary.of(events).toSession(userId, profile, pages, closedAt);
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
