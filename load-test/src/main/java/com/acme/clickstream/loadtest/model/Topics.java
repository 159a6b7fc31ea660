package com.acme.clickstream.loadtest.model;

/** Topic names; the defaults are the contract's. */
public record Topics(String events, String users, String pages, String sessions, String dlq, String late) {
    public static final String EVENTS = "clickstream.events";
    public static final String USERS = "clickstream.users";
    public static final String PAGES = "clickstream.pages";
    public static final String SESSIONS = "clickstream.sessions";
    public static final String DLQ = "clickstream.events.dlq";
    public static final String LATE = "clickstream.events.late";

    public static Topics defaults() {
        return new Topics(EVENTS, USERS, PAGES, SESSIONS, DLQ, LATE);
    }

    /** All names with a common prefix, e.g. for one test's own topics: {@code prefix + "clickstream.events"}. */
    public static Topics prefixed(String prefix) {
        return new Topics(prefix + EVENTS, prefix + USERS, prefix + PAGES, prefix + SESSIONS, prefix + DLQ, prefix + LATE);
    }
}
