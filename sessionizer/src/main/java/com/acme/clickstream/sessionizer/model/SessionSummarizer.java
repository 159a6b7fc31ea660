package com.acme.clickstream.sessionizer.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        // UUID.nameUUIDFromBytes, with a copy of one MD5 instance: it looks the algorithm up on every call, a
        // provider search per session emitted. A copy, not a thread-local: a lookup in a stream thread's crowded
        // thread-local map can cost more than the copy (sessionizer README, "Thread-local lookups").
        byte[] md5 = md5().digest(name.getBytes(StandardCharsets.UTF_8));
        md5[6] = (byte) ((md5[6] & 0x0f) | 0x30); // version 3
        md5[8] = (byte) ((md5[8] & 0x3f) | 0x80); // IETF variant
        return new UUID(ByteBuffer.wrap(md5, 0, 8).getLong(), ByteBuffer.wrap(md5, 8, 8).getLong()).toString();
    }

    /** Never used itself, only copied: copies of an unchanging digest may be taken by any thread. */
    private static final MessageDigest MD5;

    static {
        try {
            MD5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new InternalError("MD5 is required of every Java platform", e);
        }
    }

    private static MessageDigest md5() {
        try {
            return (MessageDigest) MD5.clone();
        } catch (CloneNotSupportedException e) {
            throw new InternalError("the platform's MD5 can be copied", e);
        }
    }
}
