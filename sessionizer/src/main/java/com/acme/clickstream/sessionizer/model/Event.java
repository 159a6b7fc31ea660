package com.acme.clickstream.sessionizer.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Objects;

/**
 * A valid click event reduced to what sessions need. It is also the element of the per-user buffer in the
 * sessions store, hence the short JSON names (state size).
 *
 * @param pagePath page path of the url, only for page_view (null otherwise)
 * @param amount   amount of a purchase (null for other types or when absent)
 * @param utmSource null when absent or empty; utmMedium/utmCampaign likewise
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(@JsonProperty("t") long ts,
                    @JsonProperty("id") String eventId,
                    @JsonProperty("ty") String type,
                    @JsonProperty("p") String pagePath,
                    @JsonProperty("a") BigDecimal amount,
                    @JsonProperty("us") String utmSource,
                    @JsonProperty("um") String utmMedium,
                    @JsonProperty("uc") String utmCampaign) {

    public static final String PAGE_VIEW = "page_view";
    public static final String PURCHASE = "purchase";

    /** The order of the contract: ts, then event_id in ordinal (String.compareTo) order. */
    public static final Comparator<Event> ORDER = Comparator.comparingLong(Event::ts).thenComparing(Event::eventId);

    public Event {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
    }

    public boolean isPageView() {
        return PAGE_VIEW.equals(type);
    }

    public boolean isPurchase() {
        return PURCHASE.equals(type);
    }

    /** Compares (ts, eventId) of this event with the given position. */
    public int compareTo(long otherTs, String otherEventId) {
        int c = Long.compare(ts, otherTs);
        return c != 0 ? c : eventId.compareTo(otherEventId);
    }
}
