package com.acme.clickstream.loadtest.generate;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.verify.ReferenceSessionizer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The records of a generator run, in send order, as a pure function of the config and the partition
 * count (no Kafka): visits of Zipf-chosen users, interleaved, plus the deliberately odd records.
 *
 * <p>How the odd records are kept unambiguous under the configured rules (G = inactivity gap,
 * R = grace, "now" = the event time of the current record, which only grows):
 * <ul>
 * <li>out of order: a visit's event held back and sent at most min(G, R)/4 later, so its session
 *     cannot be final when it arrives;</li>
 * <li>duplicate: an exact resend of a plain event sent at most min(dedup window, G)/4 earlier;</li>
 * <li>too late: ts = now − late-by (hours), for a user with no event within G + 1 min of it (so it is a
 *     session of its own) on a partition whose stream time is already past ts + G + R + 1 min: a session
 *     final on arrival that touches no other;</li>
 * <li>mis-keyed (no key, or another user's id): only the first event of a visit of a user idle for
 *     more than G + R + 1 min, with ts = now; the delay of a repartition topic changes nothing;</li>
 * <li>malformed: each of {@link Malformed#KINDS} in turn (shuffled per round); null values.</li>
 * </ul>
 * And the harder cases, off unless their ratio is set:
 * <ul>
 * <li>too late into a session: ts within G/2 before or after the last event of a user with no visit under way
 *     whose last session is final by more than a minute of its partition's stream time: it would join or extend
 *     that final session;</li>
 * <li>stale duplicate: an exact resend of a plain event older than a plain duplicate's, up to 3G (often of a
 *     session that is final by then: deduplication comes before lateness).</li>
 * <li>marathon: {@link Ratios#marathonUsers()} users who click from the first record to the last, an event every G/4
 *     to G/2 of event time, and nothing else (no visit, never mis-keyed nor too late into a session): with a run longer
 *     than the max duration M, their sessions are cut at M, and nobody else's are as long as the run is far shorter
 *     than chains of ordinary visits would need.</li>
 * </ul>
 */
public final class EventPlanner implements Iterator<SentRecord> {
    public static final String NORMAL = "normal";
    public static final String DUPLICATE = "duplicate";
    public static final String OUT_OF_ORDER = "out_of_order";
    public static final String LATE = "late";
    public static final String MISKEYED = "miskeyed";
    public static final String LATE_INTO_SESSION = "late_into_session";
    public static final String STALE_DUPLICATE = "stale_duplicate";
    public static final String MARATHON = "marathon";
    public static final String NULL = "null";
    public static final String INVALID_PREFIX = "invalid:";

    private static final String HOST = "https://shop.example.com";
    private static final long MARGIN_MS = 60_000;
    private static final DateTimeFormatter UTC_MS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OFFSET_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final String[][] CAMPAIGNS = {
            {"google", "cpc", "black_friday_2026"}, {"newsletter", "email", "nov_week_48"},
            {"facebook", "social", "retargeting"}, {"instagram", "social", "winter_looks"},
            {"bing", "cpc", null}, {"partner_blog", null, null}};
    private static final String[] OTHER_TYPES = {"scroll", "video_play", "search", "share"};
    private static final String[] REFERRERS = {"https://www.google.com/", "https://duckduckgo.com/",
            "https://news.example.org/deals", "android-app://com.example.reader"};

    private final GeneratorConfig config;
    private final Catalog catalog;
    private final int partitions;
    private final SplittableRandom rnd;
    private final Zipf userZipf;
    private final Zipf pageZipf;
    private final long total;
    private final String idPrefix;

    private final long[] lastTs;
    private final long[] firstTs;
    private final boolean[] active;
    private final int[] userPartition;
    /**
     * At most the least last event time of any idle user (Long.MIN_VALUE while some idle user has none):
     * a search for an idle user whose last event is before a bound at or below it cannot succeed. Without
     * it, a mis-keyed record that has no candidate (for the first inactivity gap + grace of event time,
     * at high rates for much longer) scanned every user on every record: half the generator's CPU time.
     * Exact after a failed full scan; kept a lower bound as visits end (idle users' last event times only
     * change while they are in a visit, and only grow).
     */
    private long idleLastFloor = Long.MIN_VALUE;
    private final long[] partitionMax;
    private final List<Visit> awake = new ArrayList<>();
    private final PriorityQueue<Visit> sleeping = new PriorityQueue<>(Comparator.comparingLong(v -> v.wakeAt));
    private final int poolTarget;
    private final PriorityQueue<Held> held = new PriorityQueue<>(Comparator.comparingLong(Held::releaseAt).thenComparingLong(Held::seq));
    private final ArrayDeque<Recent> recent = new ArrayDeque<>();
    /** Plain events of the last 3G, for stale duplicates (only kept when that kind is on). */
    private final ArrayDeque<Recent> older = new ArrayDeque<>();
    private final long oooMaxMs;
    private final long dupMaxAgeMs;

    private final double[] ratio;
    private final long[] done;
    private final Map<String, Long> sent;
    private final List<Malformed.Kind> malformedRound = new ArrayList<>();
    /** The marathon users' endless visits and when each is due for its next event (none unless asked for). */
    private final Visit[] marathon;
    private final long[] marathonDue;
    private long index;
    private long eventSeq;
    private long heldSeq;

    private static final int DUP = 0, OOO = 1, LATE_K = 2, BAD = 3, MISKEY = 4, NUL = 5, LATE_IN = 6, STALE_DUP = 7;

    private static final class Visit {
        final int user;
        int remaining;
        /** Index in {@code awake}, -1 while asleep or ended: O(1) removal by swapping with the last. */
        int slot = -1;
        long wakeAt;
        String[] campaign;
        boolean first = true;

        Visit(int user, int remaining) {
            this.user = user;
            this.remaining = remaining;
        }
    }

    private record Held(long releaseAt, long seq, SentRecord record, int user, long ts) {}

    private record Recent(long ts, SentRecord record) {}

    public EventPlanner(GeneratorConfig config, int partitions) {
        this.config = config;
        this.partitions = partitions;
        this.catalog = new Catalog(config.seed(), config.users(), config.products());
        this.rnd = new SplittableRandom(config.seed());
        this.userZipf = new Zipf(config.users(), config.zipfExponent());
        this.pageZipf = new Zipf(catalog.paths.size(), config.zipfExponent());
        this.total = config.total();
        this.idPrefix = "e" + Long.toHexString(config.seed()) + "-";
        this.lastTs = new long[config.users()];
        Arrays.fill(lastTs, Long.MIN_VALUE);
        this.firstTs = new long[config.users()];
        Arrays.fill(firstTs, Long.MAX_VALUE);
        this.active = new boolean[config.users()];
        this.userPartition = new int[config.users()];
        for (int i = 0; i < config.users(); i++) {
            userPartition[i] = ReferenceSessionizer.partitionOf(catalog.userIds.get(i), partitions);
        }
        this.partitionMax = new long[partitions];
        Arrays.fill(partitionMax, Long.MIN_VALUE);
        // Concurrent visits so that a visit's events are meanThink apart in event time on average.
        double eventsPerEventSecond = config.rate() / config.timeScale();
        this.poolTarget = (int) Math.max(1, Math.min(config.users() / 3,
                Math.round(eventsPerEventSecond * config.meanThink().toMillis() / 1000.0)));
        long gap = config.rules().inactivityGap().toMillis();
        long grace = config.rules().grace().toMillis();
        this.oooMaxMs = Math.max(1, Math.min(gap, grace) / 4);
        this.dupMaxAgeMs = Math.max(1, Math.min(config.rules().dedupWindow().toMillis(), gap) / 4);
        Ratios r = config.ratios();
        this.ratio = new double[] {r.duplicate(), r.outOfOrder(), r.late(), r.invalid(), r.miskeyed(), r.nullValue(),
                r.lateIntoSession(), r.staleDuplicate()};
        this.done = new long[ratio.length];
        this.sent = zeroCounts();
        int k = r.marathonUsers();
        if (k >= config.users() / 2) {
            throw new IllegalArgumentException("marathon users must be fewer than half the users");
        }
        long step = config.eventTimeMs(1) - config.eventTimeMs(0);
        // A due event may wait for the other marathon users due and a few held-back events: that must stay within
        // the G/2 left between the longest interval and a gap that would end the session.
        if (k > 0 && (k + 3) * step > gap / 2) {
            throw new IllegalArgumentException("marathon users need events closer than the inactivity gap: raise the"
                    + " rate or lower the time scale or the number of marathon users");
        }
        this.marathon = new Visit[k];
        this.marathonDue = new long[k];
        for (int m = 0; m < k; m++) {
            // Spread over the popularity ranks, fixed for a user count: the same users whatever the seed.
            int u = (m + 1) * config.users() / (k + 1);
            marathon[m] = new Visit(u, Integer.MAX_VALUE);
            active[u] = true; // never picked for a visit, a mis-keyed record or a too-late event into a session
            marathonDue[m] = config.start().toEpochMilli();
        }
    }

    /** The users of the marathon kind (empty unless asked for). */
    public List<String> marathonUserIds() {
        List<String> ids = new ArrayList<>();
        for (Visit v : marathon) {
            ids.add(catalog.userIds.get(v.user));
        }
        return ids;
    }

    /** Counts by kind, all zero, in the order the summary lists them. */
    public static Map<String, Long> zeroCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String k : List.of(NORMAL, DUPLICATE, OUT_OF_ORDER, LATE, MISKEYED, "invalid", NULL)) {
            counts.put(k, 0L);
        }
        return counts;
    }

    /** Adds one record of that kind to counts from {@link #zeroCounts()} (every invalid:... kind counts as invalid). */
    public static void count(Map<String, Long> counts, String kind) {
        counts.merge(kind.startsWith(INVALID_PREFIX) ? "invalid" : kind, 1L, Long::sum);
    }

    public List<SentRecord> userRecords() {
        return catalog.userRecords;
    }

    public List<SentRecord> pageRecords() {
        return catalog.pageRecords;
    }

    /** The changes of profiles and page infos to send between the events (none unless their share is set). */
    public EnrichmentChanges enrichmentChanges() {
        return new EnrichmentChanges(catalog, config.seed(), config.ratios().enrichmentChange(), config.zipfExponent());
    }

    /** Records planned so far by kind (normal, duplicate, out_of_order, late, miskeyed, invalid, null). */
    public Map<String, Long> sentByKind() {
        return Collections.unmodifiableMap(sent);
    }

    /** Event time of the next record. */
    public long eventTimeMs() {
        return config.eventTimeMs(index);
    }

    public long index() {
        return index;
    }

    @Override
    public boolean hasNext() {
        return index < total;
    }

    @Override
    public SentRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        long now = config.eventTimeMs(index);
        long remaining = total - index;
        while (!sleeping.isEmpty() && sleeping.peek().wakeAt <= now) {
            addAwake(sleeping.poll());
        }
        SentRecord out = null;
        if (!held.isEmpty() && (held.peek().releaseAt() <= now || held.size() >= remaining)) {
            Held h = held.poll();
            out = h.record();
            sentEvent(h.user(), h.ts(), out, false);
        } else {
            out = marathon.length > 0 ? marathonEvent(now) : null;
            for (int kind : out != null ? List.<Integer>of() : kindsBehind()) {
                out = tryKind(kind, now, remaining);
                if (out != null) {
                    break;
                }
            }
            if (out == null) {
                out = plain(now);
            }
        }
        count(out.kind());
        index++;
        return out;
    }

    /** Kinds at least one record behind their share, furthest behind first (a kind without a safe candidate must not starve the others). */
    private List<Integer> kindsBehind() {
        List<Integer> kinds = new ArrayList<>();
        for (int k = 0; k < ratio.length; k++) {
            if ((index + 1) * ratio[k] - done[k] >= 1.0) {
                kinds.add(k);
            }
        }
        kinds.sort(Comparator.comparingDouble((Integer k) -> done[k] - (index + 1) * ratio[k]).thenComparingInt(k -> k));
        return kinds;
    }

    /** A record of that kind, or null when none can be placed safely right now. */
    private SentRecord tryKind(int kind, long now, long remaining) {
        switch (kind) {
            case DUP:
                return duplicate(now);
            case OOO:
                if (remaining <= held.size() + 1) {
                    return null;
                }
                holdBack(now);
                done[OOO]++;
                return plain(now);
            case LATE_K:
                return late(now);
            case MISKEY:
                return miskeyed(now);
            case BAD:
                done[BAD]++;
                return malformed(now);
            case NUL:
                done[NUL]++;
                return new SentRecord(randomUserId(), null, -1, -1, 0, NULL);
            case LATE_IN:
                return lateIntoSession(now);
            case STALE_DUP:
                return staleDuplicate(now);
            default:
                throw new IllegalArgumentException("kind " + kind);
        }
    }

    private void count(String kind) {
        count(sent, kind);
    }

    // ---- plain events and visits ------------------------------------------------------------

    private SentRecord plain(long now) {
        Visit v = nextVisit(now);
        SentRecord r = visitEvent(v, now, NORMAL);
        sentEvent(v.user, now, r, true);
        return r;
    }

    private Visit nextVisit(long now) {
        while (awake.size() + sleeping.size() < poolTarget || awake.isEmpty()) {
            int u = pickIdleUser(now, Long.MAX_VALUE);
            if (u < 0) {
                break;
            }
            startVisit(u);
        }
        if (awake.isEmpty()) {
            // every user is in a visit: wake the earliest sleeper early rather than stall
            addAwake(sleeping.poll());
        }
        return awake.get(rnd.nextInt(awake.size()));
    }

    private Visit startVisit(int user) {
        // Visit length: mostly short, some long (geometric, mean ~8); a bounce is a visit of one.
        int length = 1 + (int) Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(1 - 1.0 / 8));
        Visit v = new Visit(user, length);
        if (rnd.nextDouble() < 0.25) {
            v.campaign = CAMPAIGNS[rnd.nextInt(CAMPAIGNS.length)];
        }
        active[user] = true;
        addAwake(v);
        return v;
    }

    /** An idle user (Zipf-weighted) whose last event is before {@code lastBefore}, or -1. */
    private int pickIdleUser(long now, long lastBefore) {
        if (lastBefore <= idleLastFloor) {
            // No idle user qualifies: skip the search, but draw from the random stream exactly what the
            // failed search below draws (30 Zipf samples of one nextDouble each, then the scan's start),
            // so that every later record stays the same.
            for (int attempt = 0; attempt < 30; attempt++) {
                rnd.nextDouble();
            }
            rnd.nextInt(config.users());
            return -1;
        }
        for (int attempt = 0; attempt < 30; attempt++) {
            int u = userZipf.sample(rnd);
            if (isIdleSince(u, lastBefore)) {
                return u;
            }
        }
        int n = config.users();
        int from = rnd.nextInt(n);
        long floor = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            int u = (from + i) % n;
            if (isIdleSince(u, lastBefore)) {
                return u;
            }
            if (!active[u]) {
                floor = Math.min(floor, lastTs[u]);
            }
        }
        idleLastFloor = floor;
        return -1;
    }

    private boolean isIdleSince(int u, long lastBefore) {
        return !active[u] && (lastTs[u] == Long.MIN_VALUE || lastTs[u] < lastBefore);
    }

    /** The visit's next event at {@code ts}; advances the visit (end, or a pause longer than the gap). */
    private SentRecord visitEvent(Visit v, long ts, String kind) {
        String userId = catalog.userIds.get(v.user);
        ObjectNode e = event(userId, ts, v);
        lastTs[v.user] = Math.max(lastTs[v.user], ts);
        firstTs[v.user] = Math.min(firstTs[v.user], ts);
        v.first = false;
        v.remaining--;
        if (v.remaining <= 0) {
            endVisit(v);
        } else if (rnd.nextDouble() < 0.03) {
            // The user comes back after more than the inactivity gap: the visit continues in a new session.
            long gap = config.rules().inactivityGap().toMillis();
            v.wakeAt = ts + gap + gap / 10 + 1 + rnd.nextLong(Math.max(1, gap));
            removeAwake(v);
            sleeping.add(v);
        }
        return new SentRecord(userId, bytes(e), -1, -1, 0, kind);
    }

    private void endVisit(Visit v) {
        active[v.user] = false;
        idleLastFloor = Math.min(idleLastFloor, lastTs[v.user]);
        removeAwake(v);
    }

    private void addAwake(Visit v) {
        v.slot = awake.size();
        awake.add(v);
    }

    private void removeAwake(Visit v) {
        Visit last = awake.remove(awake.size() - 1);
        if (last != v) {
            awake.set(v.slot, last);
            last.slot = v.slot;
        }
        v.slot = -1;
    }

    private ObjectNode event(String userId, long ts, Visit v) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("event_id", idPrefix + (eventSeq++));
        e.put("user_id", userId);
        putTs(e, ts);
        String type = v != null && v.first ? (rnd.nextDouble() < 0.8 ? "page_view" : "click") : randomType();
        e.put("type", type);
        if (type.equals("page_view")) {
            e.put("url", url(catalog.paths.get(pageZipf.sample(rnd)), v != null && v.first ? v.campaign : null));
        } else if (type.equals("click") && rnd.nextDouble() < 0.5) {
            e.put("url", url(catalog.paths.get(pageZipf.sample(rnd)), null)); // not a page view: no page path needed
        }
        if (type.equals("purchase")) {
            double p = rnd.nextDouble();
            if (p < 0.75) {
                e.put("amount", BigDecimal.valueOf(100 + rnd.nextLong(99_900), 2)); // cents, e.g. 123.40
            } else if (p < 0.85) {
                e.put("amount", BigDecimal.valueOf(1 + rnd.nextLong(500))); // whole units
            } else if (p < 0.90) {
                e.putNull("amount");
            } // else: a purchase without amount adds 0
        } else if (type.equals("add_to_cart") && rnd.nextDouble() < 0.3) {
            e.put("amount", BigDecimal.valueOf(100 + rnd.nextLong(9_900), 2)); // ignored: not a purchase
        }
        if (v != null && v.first && rnd.nextDouble() < 0.5) {
            e.put("referrer", REFERRERS[rnd.nextInt(REFERRERS.length)]);
        } else if (rnd.nextDouble() < 0.05) {
            e.putNull("referrer");
        }
        if (v != null && v.campaign != null && (v.first || rnd.nextDouble() < 0.1)) {
            putCampaign(e, v.campaign);
        } else if (v != null && !v.first && rnd.nextDouble() < 0.01) {
            // A campaign change mid-visit: a new session when split-on-campaign is on.
            v.campaign = CAMPAIGNS[rnd.nextInt(CAMPAIGNS.length)];
            putCampaign(e, v.campaign);
        } else if (rnd.nextDouble() < 0.02) {
            e.put("utm_source", ""); // empty utm_* = absent
        }
        e.put("user_agent", catalog.userAgents.get(Math.floorMod(userId.hashCode(), catalog.userAgents.size())));
        if (rnd.nextDouble() < 0.02) {
            e.putObject("x_client").put("app_version", "7.3." + rnd.nextInt(20)); // unknown field: ignored
        }
        return e;
    }

    private static void putCampaign(ObjectNode e, String[] c) {
        e.put("utm_source", c[0]);
        if (c[1] != null) {
            e.put("utm_medium", c[1]);
        }
        if (c[2] != null) {
            e.put("utm_campaign", c[2]);
        }
    }

    private String randomType() {
        double p = rnd.nextDouble();
        if (p < 0.55) {
            return "page_view";
        }
        if (p < 0.80) {
            return "click";
        }
        if (p < 0.90) {
            return "add_to_cart";
        }
        if (p < 0.95) {
            return "purchase";
        }
        return OTHER_TYPES[rnd.nextInt(OTHER_TYPES.length)];
    }

    /** A URL whose page path is {@code path}, in the forms producers send. */
    private String url(String path, String[] campaign) {
        StringBuilder b = new StringBuilder();
        double p = rnd.nextDouble();
        if (path.equals("/") && p < 0.3) {
            b.append(HOST); // empty path: page path "/"
        } else if (p < 0.85) {
            b.append(HOST).append(path);
        } else {
            b.append(path); // a relative reference
        }
        String sep = "?";
        if (campaign != null) {
            b.append(sep).append("utm_source=").append(campaign[0]);
            sep = "&";
        }
        if (path.equals("/search")) {
            b.append(sep).append("q=winter+boots&page=").append(1 + rnd.nextInt(3));
        } else if (rnd.nextDouble() < 0.2) {
            b.append(sep).append("ref=mail&sid=").append(Long.toHexString(rnd.nextLong() & 0xffffffL));
        }
        if (rnd.nextDouble() < 0.1) {
            b.append("#reviews");
        }
        return b.toString();
    }

    /** ts in every form the contract accepts: ms Z (mostly), epoch ms, an offset, more digits than ms. */
    private void putTs(ObjectNode e, long ts) {
        double p = rnd.nextDouble();
        Instant t = Instant.ofEpochMilli(ts);
        if (p < 0.7) {
            e.put("ts", UTC_MS.format(t));
        } else if (p < 0.8) {
            e.put("ts", ts);
        } else if (p < 0.9) {
            ZoneOffset off = rnd.nextBoolean() ? ZoneOffset.ofHours(1) : ZoneOffset.ofHoursMinutes(-5, -30);
            e.put("ts", OFFSET_TS.format(t.atOffset(off)));
        } else {
            String ms = UTC_MS.format(t);
            // microseconds: digits past milliseconds are truncated
            e.put("ts", ms.substring(0, ms.length() - 1) + String.format("%03d", rnd.nextInt(1000)) + "Z");
        }
    }

    private void sentEvent(int user, long ts, SentRecord r, boolean dupCandidate) {
        int p = userPartition[user];
        partitionMax[p] = Math.max(partitionMax[p], ts);
        if (dupCandidate) {
            recent.addLast(new Recent(ts, r));
            if (recent.size() > 512) {
                recent.removeFirst();
            }
            if (ratio[STALE_DUP] > 0) {
                older.addLast(new Recent(ts, r));
                if (older.size() > 8192) {
                    older.removeFirst();
                }
            }
        }
    }

    // ---- the odd records --------------------------------------------------------------------

    /** The event of the marathon user due earliest, if one is due; its next one G/4 to G/2 later. */
    private SentRecord marathonEvent(long now) {
        int m = 0;
        for (int i = 1; i < marathon.length; i++) {
            if (marathonDue[i] < marathonDue[m]) {
                m = i;
            }
        }
        if (marathonDue[m] > now) {
            return null;
        }
        Visit v = marathon[m];
        String userId = catalog.userIds.get(v.user);
        ObjectNode e = event(userId, now, v);
        v.first = false;
        lastTs[v.user] = Math.max(lastTs[v.user], now);
        firstTs[v.user] = Math.min(firstTs[v.user], now);
        long gap = config.rules().inactivityGap().toMillis();
        marathonDue[m] = now + gap / 4 + rnd.nextLong(gap / 4 + 1);
        SentRecord r = new SentRecord(userId, bytes(e), -1, -1, 0, MARATHON);
        sentEvent(v.user, now, r, true);
        return r;
    }

    private SentRecord duplicate(long now) {
        while (!recent.isEmpty() && recent.peekFirst().ts() < now - dupMaxAgeMs) {
            recent.removeFirst();
        }
        if (recent.isEmpty()) {
            return null;
        }
        done[DUP]++;
        return resendOneOf(recent, recent.size(), DUPLICATE);
    }

    /** An exact copy of one of the first {@code candidates} events of {@code events}, chosen at random. */
    private SentRecord resendOneOf(ArrayDeque<Recent> events, int candidates, String kind) {
        int pick = rnd.nextInt(candidates);
        Iterator<Recent> it = events.iterator();
        for (int i = 0; i < pick; i++) {
            it.next();
        }
        SentRecord original = it.next().record();
        return new SentRecord(original.key(), original.value(), -1, -1, 0, kind);
    }

    /** A copy of a plain event older than {@link #duplicate} would pick (up to 3G): a duplicate all the same. */
    private SentRecord staleDuplicate(long now) {
        long gap = config.rules().inactivityGap().toMillis();
        // The dedup window must cover the copy by far, so that its outcome does not depend on timing.
        long maxAge = Math.min(3 * gap, config.rules().dedupWindow().toMillis() / 2);
        while (!older.isEmpty() && older.peekFirst().ts() < now - maxAge) {
            older.removeFirst();
        }
        // Candidates: older than a plain duplicate's age.
        int candidates = 0;
        for (Recent r : older) {
            if (r.ts() >= now - dupMaxAgeMs) {
                break;
            }
            candidates++;
        }
        if (candidates == 0) {
            return null;
        }
        done[STALE_DUP]++;
        return resendOneOf(older, candidates, STALE_DUPLICATE);
    }

    /**
     * An event of a user with no visit under way, within G/2 of the user's last event, whose last session is final by
     * more than {@link #MARGIN_MS} of its partition's stream time: it would join or extend that final session, so it
     * is too late (and no idle advance or processing order can change that).
     */
    private SentRecord lateIntoSession(long now) {
        long gap = config.rules().inactivityGap().toMillis();
        long close = config.rules().closeAfterMs() + MARGIN_MS;
        for (int attempt = 0; attempt < 60; attempt++) {
            int u = attempt < 30 ? userZipf.sample(rnd) : rnd.nextInt(config.users());
            int p = userPartition[u];
            if (!active[u] && lastTs[u] != Long.MIN_VALUE && partitionMax[p] != Long.MIN_VALUE
                    && partitionMax[p] >= lastTs[u] + close) {
                long ts = lastTs[u] - gap / 2 + rnd.nextLong(gap + 1);
                done[LATE_IN]++;
                ObjectNode e = event(catalog.userIds.get(u), ts, null);
                return new SentRecord(catalog.userIds.get(u), bytes(e), -1, -1, 0, LATE_INTO_SESSION);
            }
        }
        return null;
    }

    private void holdBack(long now) {
        Visit v = nextVisit(now);
        int user = v.user;
        SentRecord r = visitEvent(v, now, OUT_OF_ORDER);
        held.add(new Held(now + 1 + rnd.nextLong(oooMaxMs), heldSeq++, r, user, now));
    }

    private SentRecord late(long now) {
        long ts = now - config.lateBy().toMillis();
        // None of the user's events within gap + margin of ts: the event is a session of its own, final on arrival.
        long apart = config.rules().inactivityGap().toMillis() + MARGIN_MS;
        long close = config.rules().closeAfterMs() + MARGIN_MS;
        int user = -1;
        for (int attempt = 0; attempt < 60 && user < 0; attempt++) {
            int u = attempt < 30 ? userZipf.sample(rnd) : rnd.nextInt(config.users());
            boolean isolated = lastTs[u] == Long.MIN_VALUE || lastTs[u] < ts - apart || firstTs[u] > ts + apart;
            if (isolated && partitionMax[userPartition[u]] != Long.MIN_VALUE && partitionMax[userPartition[u]] >= ts + close) {
                user = u;
            }
        }
        if (user < 0) {
            return null;
        }
        done[LATE_K]++;
        ObjectNode e = event(catalog.userIds.get(user), ts, null);
        return new SentRecord(catalog.userIds.get(user), bytes(e), -1, -1, 0, LATE);
    }

    private SentRecord miskeyed(long now) {
        int user = pickIdleUser(now, now - config.rules().closeAfterMs() - MARGIN_MS);
        if (user < 0) {
            return null;
        }
        done[MISKEY]++;
        Visit v = startVisit(user);
        SentRecord r = visitEvent(v, now, MISKEYED);
        sentEvent(user, now, r, false);
        String key = null;
        if (rnd.nextBoolean()) {
            int other = rnd.nextInt(config.users() - 1);
            key = catalog.userIds.get(other >= user ? other + 1 : other);
        }
        return new SentRecord(key, r.value(), -1, -1, 0, MISKEYED);
    }

    private SentRecord malformed(long now) {
        if (malformedRound.isEmpty()) {
            malformedRound.addAll(Malformed.KINDS);
            for (int i = malformedRound.size() - 1; i > 0; i--) {
                Collections.swap(malformedRound, i, rnd.nextInt(i + 1));
            }
        }
        Malformed.Kind kind = malformedRound.remove(malformedRound.size() - 1);
        String userId = randomUserId();
        ObjectNode base = JsonNodeFactory.instance.objectNode();
        base.put("event_id", idPrefix + "bad-" + (eventSeq++));
        base.put("user_id", userId);
        base.put("ts", UTC_MS.format(Instant.ofEpochMilli(now)));
        base.put("type", "page_view");
        base.put("url", HOST + "/p/1000");
        base.put("user_agent", catalog.userAgents.get(0));
        return new SentRecord(userId, kind.make().apply(base), -1, -1, 0, INVALID_PREFIX + kind.name());
    }

    private String randomUserId() {
        return catalog.userIds.get(userZipf.sample(rnd));
    }

    private static byte[] bytes(ObjectNode e) {
        return e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
