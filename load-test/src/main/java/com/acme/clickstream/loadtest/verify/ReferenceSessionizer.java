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

    /** A user's last final session (empty before the first) and its open events in (ts, event_id) order. */
    private static final class UserState {
        List<ClickEvent> lastFinal = List.of();
        final List<ClickEvent> open = new ArrayList<>();
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
        if (isTooLate(u, e, now)) {
            lateEvents.add(e.userId() + "/" + e.eventId());
            return;
        }
        insertSorted(u.open, e);
    }

    /** Moves the user's sessions whose last ts + gap + grace <= stream time out of the open set. */
    private void closeFinalSessions(UserState u, long now) {
        List<List<ClickEvent>> sessions = split(concat(u.lastFinal, u.open));
        int from = u.lastFinal.isEmpty() ? 0 : 1;
        for (int i = from; i < sessions.size(); i++) {
            List<ClickEvent> s = sessions.get(i);
            if (last(s).ts() + rules.closeAfterMs() > now) {
                break; // sessions are ordered in time: later ones cannot be final either
            }
            finalSessions.add(s);
            u.lastFinal = s;
            u.open.subList(0, s.size()).clear();
        }
    }

    /**
     * Too late = it would change a final session (belong to it, extend it, join it to another, split it)
     * or form a session that is already final. Final sessions are a prefix in time, so only the last
     * one can be touched by an event at or after its start; anything before its start touches a final one.
     */
    private boolean isTooLate(UserState u, ClickEvent e, long now) {
        if (!u.lastFinal.isEmpty() && ClickEvent.order(e, u.lastFinal.get(0)) < 0) {
            return true;
        }
        List<ClickEvent> open = new ArrayList<>(u.open);
        insertSorted(open, e);
        List<List<ClickEvent>> sessions = split(concat(u.lastFinal, open));
        if (!u.lastFinal.isEmpty() && !sessions.get(0).equals(u.lastFinal)) {
            return true;
        }
        for (List<ClickEvent> s : sessions) {
            if (s.contains(e)) {
                return last(s).ts() + rules.closeAfterMs() <= now;
            }
        }
        throw new IllegalStateException("event not in any session: " + e);
    }

    /** The contract's Definition: sessions of events sorted by (ts, event_id); the first event starts one. */
    List<List<ClickEvent>> split(List<ClickEvent> sorted) {
        List<List<ClickEvent>> sessions = new ArrayList<>();
        List<ClickEvent> current = null;
        ClickEvent campaign = null;
        for (ClickEvent e : sorted) {
            boolean starts = current == null;
            if (!starts) {
                ClickEvent prev = last(current);
                starts = e.ts() - prev.ts() > rules.inactivityGap().toMillis()
                        || e.ts() - current.get(0).ts() >= rules.maxDuration().toMillis()
                        || (rules.splitOnCampaign() && e.utmSource() != null && !sameCampaign(campaign, e))
                        || (rules.dayBoundaryZone() != null && !localDate(prev).equals(localDate(e)));
            }
            if (starts) {
                current = new ArrayList<>();
                sessions.add(current);
                campaign = null;
            }
            current.add(e);
            if (campaign == null && e.utmSource() != null) {
                campaign = e;
            }
        }
        return sessions;
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
            List<List<ClickEvent>> sessions = split(concat(u.lastFinal, u.open));
            finalSessions.addAll(sessions.subList(u.lastFinal.isEmpty() ? 0 : 1, sessions.size()));
            u.lastFinal = sessions.isEmpty() ? u.lastFinal : last(sessions);
            u.open.clear();
        }
        List<SessionRow> rows = new ArrayList<>(finalSessions.size());
        long inSessions = 0;
        for (List<ClickEvent> s : finalSessions) {
            rows.add(row(s, profiles, categories));
            inSessions += s.size();
        }
        return new Expectation(rows, valid, inSessions, duplicates, List.copyOf(lateEvents), nulls,
                List.copyOf(invalidValues), Map.copyOf(invalidReasons), partitionMismatches);
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

    private static List<ClickEvent> concat(List<ClickEvent> a, List<ClickEvent> b) {
        List<ClickEvent> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
