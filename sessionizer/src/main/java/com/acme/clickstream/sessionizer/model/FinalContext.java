package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What is left of a user's last final session: enough to tell whether a later event would have extended it
 * (gap, max duration, campaign, day boundary all only look at the session start, its campaign and the
 * previous event) and whether an event orders before it.
 */
@RegisterForReflection
public record FinalContext(@JsonProperty("s") long start,
                           @JsonProperty("l") long lastTs,
                           @JsonProperty("le") String lastEventId,
                           @JsonProperty("c") Campaign campaign) {

    public static FinalContext of(java.util.List<Event> session) {
        Event first = session.get(0);
        Event last = session.get(session.size() - 1);
        return new FinalContext(first.ts(), last.ts(), last.eventId(), SessionRulesEngine.campaignOf(session));
    }
}
