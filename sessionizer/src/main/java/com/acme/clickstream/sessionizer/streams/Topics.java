package com.acme.clickstream.sessionizer.streams;

import java.util.Objects;

/** Topic names of the contract; every one is configurable. */
public record Topics(String events, String users, String pages, String sessions, String dlq, String late) {

    public Topics {
        requireName("events", events);
        requireName("users", users);
        requireName("pages", pages);
        requireName("sessions", sessions);
        requireName("dlq", dlq);
        requireName("late", late);
    }

    public static Topics defaults() {
        return new Topics("clickstream.events", "clickstream.users", "clickstream.pages",
                "clickstream.sessions", "clickstream.events.dlq", "clickstream.events.late");
    }

    private static void requireName(String what, String name) {
        Objects.requireNonNull(name, "topic name '" + what + "' must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name '" + what + "' must not be blank");
        }
    }
}
