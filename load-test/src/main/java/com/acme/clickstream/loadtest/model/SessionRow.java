package com.acme.clickstream.loadtest.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A session with the contract's fields (the columns of table {@code sessions}). Expected sessions
 * computed by verify have no session id and no closed_at (both are the pipeline's to choose).
 */
public record SessionRow(String sessionId, String userId, Instant sessionStart, Instant sessionEnd, long durationMs,
                         int eventCount, int pageViews, int purchases, BigDecimal revenue,
                         String landingPage, String exitPage, String landingCategory, String country, String segment,
                         String utmSource, String utmMedium, String utmCampaign, boolean isBounce, Instant closedAt) {

    /** user_id + session_start identify a session independently of how the pipeline builds its id. */
    public String naturalKey() {
        return userId + " @ " + sessionStart;
    }
}
