package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * Value of the sessions store as earlier versions wrote it, per user: the events of the user's open sessions,
 * split into sessions, the context of the last final session, and the due time of the former close index. Read
 * only to migrate it at task init ({@link UserHeaderSerde}).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserState(@JsonProperty("o") List<List<Event>> open,
                        @JsonProperty("f") FinalContext lastFinal,
                        @JsonProperty("d") long indexedDue) {

    public UserState {
        open = open == null ? List.of() : open;
    }
}
