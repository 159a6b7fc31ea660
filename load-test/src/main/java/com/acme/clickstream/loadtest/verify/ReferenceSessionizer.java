package com.acme.clickstream.loadtest.verify;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.SessionRow;
import com.acme.clickstream.loadtest.model.SessionRules;
import org.apache.kafka.common.utils.Utils;

/**
 * The contract's session rules, replayed over the records in the order they were sent: an
 * independent, deliberately plain reference (no Kafka Streams, no stores, everything in memory).
 *
 * <p>Per partition of the events topic (the user id's partition under Kafka's default partitioner,
 * also for records with a missing or different key, which the pipeline re-partitions): validation,
 * stream time = max ts of the valid events processed so far (this record included), deduplication,
 * lateness, then session splitting. {@link #finish} closes every open session, as the pipeline does
 * by idle advance once traffic stops.
 */
public final class ReferenceSessionizer {
    private final SessionRules rules;
    private final int partitions;
    private final EventValidator validator;
    private final long readWallClockMs;

    private final long[] streamTime;
    /** (user_id, event_id) → ts of the first valid copy processed. */
    private final Map<String, Long> firstCopyTs = new HashMap<>();
    private final Map<String, UserState> users = new LinkedHashMap<>();
    private final List<List<ClickEvent>> finalSessions = new ArrayList<>();

    private long valid;
    private long duplicates;
    private long nulls;
    private long partitionMismatches;
    private final List<String> lateEvents = new ArrayList<>();
    private final List<byte[]> invalidValues = new ArrayList<>();
    private final Map<String, Long> invalidReasons = new TreeMap<>();

    /** A user's last final session (empty before the first) and its open sessions, all in (ts, event_id) order. */
    private static final class UserState {
        List<ClickEvent> lastFinal = List.of();
        List<List<ClickEvent>> open = new ArrayList<>();

        List<ClickEvent> openEvents() {
            List<ClickEvent> all = new ArrayList<>();
            open.forEach(all::addAll);
            return all;
        }
    }

    /**
     * @param readWallClockMs wall clock used for the future-skew rule when a record has no recorded send time
     */
    public ReferenceSessionizer(SessionRules rules, int partitions, long readWallClockMs) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1");
        }
        this.rules = rules;
        this.partitions = partitions;
        this.validator = new EventValidator(rules.maxFutureSkew().toMillis());
        this.readWallClockMs = readWallClockMs;
        this.streamTime = new long[partitions];
        java.util.Arrays.fill(streamTime, Long.MIN_VALUE);
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the UTF-8 key, made positive, modulo count. */
    public static int partitionOf(String userId, int partitions) {
        return Utils.toPositive(Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Processes one record of the events topic, in send order. */
    public void accept(SentRecord record) {
        long wall = record.sentAtMs() > 0 ? record.sentAtMs() : readWallClockMs;
        EventValidator.Result r = validator.validate(record.value(), wall);
        if (r.isNull()) {
            nulls++;
            return;
        }
        if (r.invalidReason() != null) {
            invalidValues.add(record.value());
            invalidReasons.merge(r.invalidReason(), 1L, Long::sum);
            return;
        }
        ClickEvent e = r.event();
        if (record.partition() >= 0 && e.userId().equals(record.key())
                && record.partition() != partitionOf(e.userId(), partitions)) {
            partitionMismatches++; // the partition count given to verify is not the one the events were sent with
        }
        process(e);
    }

    private void process(ClickEvent e) {
        valid++;
        int p = partitionOf(e.userId(), partitions);
        streamTime[p] = Math.max(streamTime[p], e.ts());
        long now = streamTime[p];

        String copyKey = e.userId() + '\u0000' + e.eventId();
        Long first = firstCopyTs.get(copyKey);
        if (first != null && now - first <= rules.dedupWindow().toMillis()) {
            duplicates++;
            return;
        }
        // Registered before the lateness check: a copy of a too-late event is still a duplicate.
        firstCopyTs.put(copyKey, e.ts());

        UserState u = users.computeIfAbsent(e.userId(), k -> new UserState());
        closeFinalSessions(u, now);
        if (!accept(u, e, now)) {
            lateEvents.add(e.userId() + "/" + e.eventId());
        }
    }

    /** Moves the user's sessions whose last ts + gap + grace <= stream time out of the open set. */
    private void closeFinalSessions(UserState u, long now) {
        // sessions are ordered in time: once one is not final, later ones are not either
        while (!u.open.isEmpty() && last(u.open.get(0)).ts() + rules.closeAfterMs() <= now) {
            List<ClickEvent> s = u.open.remove(0);
            finalSessions.add(s);
            u.lastFinal = s;
        }
    }

    /**
     * Adds the event to the user's open sessions unless it is too late: it would change a final session
     * (belong to it, extend it, join it to another, split it) or form a session that is already final.
     * Final sessions are a prefix in time, so only the last one can be touched by an event at or after
     * its start; anything before its start touches a final one.
     */
    private boolean accept(UserState u, ClickEvent e, long now) {
        if (!u.lastFinal.isEmpty() && ClickEvent.order(e, u.lastFinal.get(0)) < 0) {
            return false;
        }
        List<ClickEvent> tail = u.open.isEmpty() ? u.lastFinal : last(u.open);
        if (tail.isEmpty() || ClickEvent.order(e, last(tail)) > 0) {
            // In order (the common case): it extends the latest session or starts the next one.
            if (!tail.isEmpty() && !startsNew(tail, e)) {
                if (tail == u.lastFinal) {
                    return false; // extends a final session
                }
                tail.add(e); // an open session stays open: its last ts only grows
                return true;
            }
            if (e.ts() + rules.closeAfterMs() <= now) {
                return false; // a session final on arrival
            }
            List<ClickEvent> s = new ArrayList<>();
            s.add(e);
            u.open.add(s);
            return true;
        }
        // Out of order: recompute the sessions from the last final one on, with the event.
        List<ClickEvent> events = new ArrayList<>(u.lastFinal);
        List<ClickEvent> open = u.openEvents();
        insertSorted(open, e);
        events.addAll(open);
        List<List<ClickEvent>> sessions = split(events);
        if (!u.lastFinal.isEmpty() && !sessions.get(0).equals(u.lastFinal)) {
            return false;
        }
        for (List<ClickEvent> s : sessions) {
            if (s.contains(e) && last(s).ts() + rules.closeAfterMs() <= now) {
                return false;
            }
        }
        u.open = new ArrayList<>(sessions.subList(u.lastFinal.isEmpty() ? 0 : 1, sessions.size()));
        return true;
    }

    /** The contract's Definition: sessions of events sorted by (ts, event_id); the first event starts one. */
    List<List<ClickEvent>> split(List<ClickEvent> sorted) {
        List<List<ClickEvent>> sessions = new ArrayList<>();
        List<ClickEvent> current = null;
        for (ClickEvent e : sorted) {
            if (current == null || startsNew(current, e)) {
                current = new ArrayList<>();
                sessions.add(current);
            }
            current.add(e);
        }
        return sessions;
    }

    /** Whether e, the next event after the (non-empty) session so far, starts a new session. */
    private boolean startsNew(List<ClickEvent> session, ClickEvent e) {
        ClickEvent prev = last(session);
        return e.ts() - prev.ts() > rules.inactivityGap().toMillis()
                || e.ts() - session.get(0).ts() >= rules.maxDuration().toMillis()
                || (rules.splitOnCampaign() && e.utmSource() != null && !sameCampaign(campaign(session), e))
                || (rules.dayBoundaryZone() != null && !localDate(prev).equals(localDate(e)));
    }

    /** The session's campaign: its first event with a utm_source, or null. */
    private static ClickEvent campaign(List<ClickEvent> session) {
        for (ClickEvent e : session) {
            if (e.utmSource() != null) {
                return e;
            }
        }
        return null;
    }

    private static boolean sameCampaign(ClickEvent campaign, ClickEvent e) {
        return campaign != null && campaign.utmSource().equals(e.utmSource())
                && Objects.equals(campaign.utmMedium(), e.utmMedium())
                && Objects.equals(campaign.utmCampaign(), e.utmCampaign());
    }

    private LocalDate localDate(ClickEvent e) {
        return Instant.ofEpochMilli(e.ts()).atZone(rules.dayBoundaryZone()).toLocalDate();
    }

    /**
     * Closes every open session and returns the expectation.
     *
     * @param profiles   user id → profile (country, segment) as last sent; absent or null value = unknown
     * @param categories page path → category as last sent; absent = unknown
     */
    public Expectation finish(Map<String, Profile> profiles, Map<String, String> categories) {
        for (UserState u : users.values()) {
            finalSessions.addAll(u.open);
            u.lastFinal = u.open.isEmpty() ? u.lastFinal : last(u.open);
            u.open = new ArrayList<>();
        }
        List<SessionRow> rows = new ArrayList<>(finalSessions.size());
        long inSessions = 0;
        for (List<ClickEvent> s : finalSessions) {
            rows.add(row(s, profiles, categories));
            inSessions += s.size();
        }
        return new Expectation(rows, valid, inSessions, duplicates, List.copyOf(lateEvents), nulls,
                List.copyOf(invalidValues), Map.copyOf(invalidReasons), partitionMismatches, null);
    }

    /** country and segment of a user profile; null fields = unknown. */
    public record Profile(String country, String segment) {}

    private static SessionRow row(List<ClickEvent> s, Map<String, Profile> profiles, Map<String, String> categories) {
        ClickEvent first = s.get(0);
        ClickEvent lastEvent = last(s);
        int pageViews = 0;
        int purchases = 0;
        BigDecimal revenue = BigDecimal.ZERO.setScale(2);
        String landing = null;
        String exit = null;
        ClickEvent campaign = null;
        for (ClickEvent e : s) {
            if (e.isPageView()) {
                pageViews++;
                if (landing == null) {
                    landing = e.pagePath();
                }
                exit = e.pagePath();
            }
            if (e.isPurchase()) {
                purchases++;
                if (e.amount() != null) {
                    revenue = revenue.add(e.amount());
                }
            }
            if (campaign == null && e.utmSource() != null) {
                campaign = e;
            }
        }
        Profile profile = profiles.get(first.userId());
        return new SessionRow(null, first.userId(), Instant.ofEpochMilli(first.ts()), Instant.ofEpochMilli(lastEvent.ts()),
                lastEvent.ts() - first.ts(), s.size(), pageViews, purchases, revenue,
                landing, exit, landing == null ? null : categories.get(landing),
                profile == null ? null : profile.country(), profile == null ? null : profile.segment(),
                campaign == null ? null : campaign.utmSource(), campaign == null ? null : campaign.utmMedium(),
                campaign == null ? null : campaign.utmCampaign(), s.size() == 1, null);
    }

    private static void insertSorted(List<ClickEvent> list, ClickEvent e) {
        int i = list.size();
        while (i > 0 && ClickEvent.order(list.get(i - 1), e) > 0) {
            i--;
        }
        list.add(i, e);
    }


    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
