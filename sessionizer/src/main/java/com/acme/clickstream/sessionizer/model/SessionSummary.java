package com.acme.clickstream.sessionizer.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The running summary of one session: everything its contract fields need, folded event by event in any order
 * (first and last, counts, revenue, landing and exit page, campaign are each kept with the (ts, event_id) position
 * that decides them). Adding an event costs the same whatever the session's length, which is what keeps the
 * sessionizer's per-event cost flat for users whose sessions hold tens of thousands of events.
 */
public final class SessionSummary {

    private static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2, RoundingMode.UNNECESSARY);

    long firstTs;
    String firstId;
    long lastTs;
    String lastId;
    int count;
    int pageViews;
    int purchases;
    BigDecimal revenue = ZERO;
    /** Position and page of the first and the last page_view (landingId null: none). */
    long landingTs;
    String landingId;
    String landingPage;
    long exitTs;
    String exitId;
    String exitPage;
    /** Position of the first event with a utm_source and its campaign (utmId null: none). */
    long utmTs;
    String utmId;
    Campaign campaign;

    private SessionSummary() {
    }

    public static SessionSummary of(Event first) {
        SessionSummary s = new SessionSummary();
        s.firstTs = first.ts();
        s.firstId = first.eventId();
        s.lastTs = first.ts();
        s.lastId = first.eventId();
        s.fold(first);
        return s;
    }

    /** The summary of a non-empty list of events (any order). */
    public static SessionSummary of(List<Event> events) {
        SessionSummary s = of(events.get(0));
        for (int i = 1; i < events.size(); i++) {
            s.add(events.get(i));
        }
        return s;
    }

    /** Folds one more event of this session in. */
    public void add(Event e) {
        if (e.compareTo(firstTs, firstId) < 0) {
            firstTs = e.ts();
            firstId = e.eventId();
        }
        if (e.compareTo(lastTs, lastId) > 0) {
            lastTs = e.ts();
            lastId = e.eventId();
        }
        fold(e);
    }

    private void fold(Event e) {
        count++;
        if (e.isPageView()) {
            pageViews++;
            if (landingId == null || e.compareTo(landingTs, landingId) < 0) {
                landingTs = e.ts();
                landingId = e.eventId();
                landingPage = e.pagePath();
            }
            if (exitId == null || e.compareTo(exitTs, exitId) > 0) {
                exitTs = e.ts();
                exitId = e.eventId();
                exitPage = e.pagePath();
            }
        } else if (e.isPurchase()) {
            purchases++;
            if (e.amount() != null) {
                revenue = revenue.add(e.amount());
            }
        }
        if (e.utmSource() != null && (utmId == null || e.compareTo(utmTs, utmId) < 0)) {
            utmTs = e.ts();
            utmId = e.eventId();
            campaign = Campaign.of(e);
        }
    }

    /** Whether the event orders strictly between the first and the last event of the session. */
    public boolean strictlyInside(Event e) {
        return e.compareTo(firstTs, firstId) > 0 && e.compareTo(lastTs, lastId) < 0;
    }

    /** Whether the event orders after the last event of the session. */
    public boolean orderedAfter(Event e) {
        return e.compareTo(lastTs, lastId) > 0;
    }

    public long firstTs() {
        return firstTs;
    }

    public long lastTs() {
        return lastTs;
    }

    public int count() {
        return count;
    }

    /** The session's campaign: that of its first event with a utm_source, or null. */
    public Campaign campaign() {
        return campaign;
    }

    /** What the session leaves behind once final, for the lateness of later events. */
    public FinalContext finalContext() {
        return new FinalContext(firstTs, lastTs, lastId, campaign);
    }

    /**
     * @param profile  the user's profile, or null when unknown
     * @param pages    page info by page path (returns null when unknown)
     * @param closedAt wall-clock time the session became final, null for an open session
     */
    public Session toSession(String userId, UserProfile profile, Function<String, PageInfo> pages, Long closedAt) {
        PageInfo landingInfo = landingPage == null ? null : pages.apply(landingPage);
        return new Session(
                SessionSummarizer.sessionId(userId, firstTs, firstId),
                userId,
                Instant.ofEpochMilli(firstTs),
                Instant.ofEpochMilli(lastTs),
                lastTs - firstTs,
                count,
                pageViews,
                purchases,
                revenue.setScale(2, RoundingMode.UNNECESSARY),
                landingPage,
                exitPage,
                landingInfo == null ? null : landingInfo.category(),
                profile == null ? null : profile.country(),
                profile == null ? null : profile.segment(),
                campaign == null ? null : campaign.source(),
                campaign == null ? null : campaign.medium(),
                campaign == null ? null : campaign.campaign(),
                count == 1,
                closedAt == null ? null : Instant.ofEpochMilli(closedAt));
    }

    /** Binary form, see {@code UserHeaderSerde}. */
    public interface Writer {
        void i64(long v);

        void varint(int v);

        void str(String s);

        void nstr(String s);

        void decimal(BigDecimal d);
    }

    public interface Reader {
        long i64();

        int varint();

        String str();

        String nstr();

        BigDecimal decimal();
    }

    public void writeTo(Writer out) {
        out.i64(firstTs);
        out.str(firstId);
        out.i64(lastTs);
        out.str(lastId);
        out.varint(count);
        out.varint(pageViews);
        out.varint(purchases);
        out.decimal(revenue);
        out.nstr(landingId);
        if (landingId != null) {
            out.i64(landingTs);
            out.str(landingPage);
            out.str(exitId);
            out.i64(exitTs);
            out.str(exitPage);
        }
        out.nstr(utmId);
        if (utmId != null) {
            out.i64(utmTs);
            out.str(campaign.source());
            out.nstr(campaign.medium());
            out.nstr(campaign.campaign());
        }
    }

    public static SessionSummary readFrom(Reader in) {
        SessionSummary s = new SessionSummary();
        s.firstTs = in.i64();
        s.firstId = in.str();
        s.lastTs = in.i64();
        s.lastId = in.str();
        s.count = in.varint();
        s.pageViews = in.varint();
        s.purchases = in.varint();
        s.revenue = in.decimal();
        s.landingId = in.nstr();
        if (s.landingId != null) {
            s.landingTs = in.i64();
            s.landingPage = in.str();
            s.exitId = in.str();
            s.exitTs = in.i64();
            s.exitPage = in.str();
        }
        s.utmId = in.nstr();
        if (s.utmId != null) {
            s.utmTs = in.i64();
            s.campaign = new Campaign(in.str(), in.nstr(), in.nstr());
        }
        return s;
    }
}
