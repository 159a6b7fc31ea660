package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Objects;

/** (utm_source, utm_medium, utm_campaign) of an event with a non-empty utm_source. */
@RegisterForReflection
public record Campaign(@JsonProperty("s") String source, @JsonProperty("m") String medium,
                       @JsonProperty("c") String campaign) {

    public Campaign {
        Objects.requireNonNull(source, "source");
    }

    /** The campaign of an event, or null when it has no utm_source. */
    public static Campaign of(Event e) {
        return e.utmSource() == null ? null : new Campaign(e.utmSource(), e.utmMedium(), e.utmCampaign());
    }
}
