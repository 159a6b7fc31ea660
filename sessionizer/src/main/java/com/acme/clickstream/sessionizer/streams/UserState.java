package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.List;

/**
 * Value of the sessions store, per user: the events of the user's open sessions, already split into sessions
 * (so that interactive queries need no rules), the context of the last final session (for lateness), and the
 * due time under which the user is registered in the close index.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserState(@JsonProperty("o") List<List<Event>> open,
                        @JsonProperty("f") FinalContext lastFinal,
                        @JsonProperty("d") long indexedDue) {

    public UserState {
        open = open == null ? List.of() : open;
    }

    @JsonIgnore
    public List<Event> bufferedEvents() {
        List<Event> all = new ArrayList<>();
        for (List<Event> s : open) {
            all.addAll(s);
        }
        return all;
    }
}
