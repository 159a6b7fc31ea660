package com.acme.clickstream.loadtest.verify;

import java.math.BigDecimal;

/**
 * A valid click event as the reference implementation sees it (already validated and normalised:
 * ts in epoch ms, empty utm_* as null, the page path of a page_view's url).
 */
public record ClickEvent(String eventId, String userId, long ts, String type, String pagePath, BigDecimal amount,
                         String utmSource, String utmMedium, String utmCampaign) {

    public boolean isPageView() {
        return "page_view".equals(type);
    }

    public boolean isPurchase() {
        return "purchase".equals(type);
    }

    /** Events of a user are ordered by (ts, event_id), event_id in ordinal (UTF-16 code unit) order as Java's. */
    public static int order(ClickEvent a, ClickEvent b) {
        int c = Long.compare(a.ts, b.ts);
        return c != 0 ? c : a.eventId.compareTo(b.eventId);
    }
}
