package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.SessionRulesEngine;
import com.acme.clickstream.sessionizer.model.SessionSummary;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * The stateful heart: per partition stream time (with idle advance), deduplication, lateness, the users' open
 * sessions and their finalization. All decisions depend only on the record order of the partition, the stores and
 * the wall clock of idle periods, so a restart resumes exactly from committed state.
 *
 * <p>Per event the work does not grow with the length of the user's session: an event that orders after the
 * user's last event, or strictly inside one open session (where no rule can split), updates that session's running
 * summary and appends the event to the session's inline tail (both in the header, written once per commit);
 * every {@link UserHeader#CHUNK} events the tail goes to the session-events store as one entry. Only an event that
 * may move a session boundary (before or between open sessions, or a campaign that may split) reads the user's open
 * events back and re-splits them with {@link SessionRulesEngine}, exactly as the contract defines sessions.
 * Finalization emits from the summary and deletes the session's chunks by key. Which users are due when is kept in
 * memory and rebuilt from the headers before the task's first record or punctuation (not in init, which Kafka
 * Streams runs before the instance may report RUNNING); first copies are kept in a store whose changelog carries
 * them in one batch per commit ({@link DedupStore}), and expire by a sweep.
 *
 * <p>Records re-keyed to this partition through the repartition topic can arrive long after the direct records
 * written after them (a backlog). Each event is therefore judged by the stream time as of its own record timestamp
 * ({@link StreamTimeLedger}), and sessions are finalized only at what every source partition that is not quiet has
 * confirmed with its marks ({@link Validated.Mark}), so that no record still on its way can need an emitted session.
 */
final class SessionizeProcessor implements Processor<String, Validated, String, Output> {

    static final String STREAM_TIME_KEY = "stream-time";
    /** The {@link StreamTimeLedger} of records not yet confirmed by every source, as of the last commit. */
    static final String LEDGER_KEY = "ledger";
    /** The largest ts of the records processed straight from the events topic partition. */
    static final String DIRECT_MAX_KEY = "direct-max";
    /** A quiet source (nothing processed since its last mark, nothing to consume) holds nothing back. */
    private static final long QUIET = Long.MAX_VALUE;
    /**
     * A "quiet" counts for this long after it was sent, then only for its progress: quiet is a claim about the moment
     * it was sent. A quiet source repeats its mark every second, so it stays quiet here as long as its marks keep
     * arriving; a mark held up in transit, or the last one before the broker became unreachable, must not let this
     * partition finalize past what the source has received since.
     */
    static final long QUIET_MARK_MAX_AGE_MS = 2_000;
    private static final long NONE = SessionizerMetrics.NO_STREAM_TIME;
    /** Dedup entries visited per processed record by the expiry sweep (amortized): the store stays bounded. */
    private static final int SWEEP_EVERY = 512;
    private static final int SWEEP_STEP = 2 * SWEEP_EVERY;
    /**
     * Headers kept deserialized between commits (clean ones beyond this are dropped after a flush, down to half).
     * Each holds at most CHUNK - 1 inline events per open session, so this bounds the heap they take (README
     * "Memory"). A header not kept is read back from RocksDB at its user's next event: with 5,000 per task the reads
     * and the eviction passes cost the stream thread 4-5 us per event on the benchmark's 25,000 users per task.
     * Under G1 a large cache cost as much in the collector (its old headers, changed at every event, are what G1's
     * write barrier and concurrent refinement work on), so the service runs the parallel collector, under which
     * 50,000 cost about 1 us more of GC per event than 5,000 (README "Header cache and the parallel collector").
     */
    static final int HEADER_CACHE = 50_000;

    private final SessionRules rules;
    private final SessionizerMetrics metrics;
    private final long idleAfterMs;
    private final long dedupWindowMs;
    private final long contextRetentionMs;
    private final String eventsTopic;
    private final InputLag inputLag;

    private ProcessorContext<String, Output> context;
    private TaskId task;
    private KeyValueStore<String, byte[]> streamTimeStore;
    private DedupIndex dedup;
    private KeyValueStore<String, UserHeader> headers;
    private KeyValueStore<Bytes, byte[]> events;
    private Enrichment enrichment;
    private final SessionJson sessionJson = new SessionJson();
    private Cancellable punctuator;
    /** The task's partition of the events topic. */
    private TopicPartition input;

    /**
     * The partition's stream time for finalization: the largest ts of the records processed here that every source
     * partition has confirmed (see {@link #watermark}); a record is judged by the stream time as of its own record
     * timestamp, which the ledger keeps for the records not confirmed yet.
     */
    private long streamTime = NONE;
    /**
     * The stream time up to which every final session has been emitted: stream time itself between two calls of the
     * processor, behind it while a record is being processed. Stored headers are read as of it.
     */
    private long settledTime = NONE;
    private StreamTimeLedger ledger;
    /** The largest ts of the direct records processed here (NONE: none): they come in the order they were written. */
    private long directMax = NONE;
    private boolean directMaxChanged;
    private boolean streamTimeChanged;
    private boolean ledgerChanged;
    /**
     * Per source partition of the events topic, from its last mark since init: the record timestamp up to which it
     * has processed everything, or QUIET; null before the first mark (a source not heard from holds back).
     */
    private long[] sourceHold;
    /** Per source partition, from its last mark: its progress, which holds once a "quiet" has expired. */
    private long[] sourceProgress;
    /** Per source partition: until when its last "quiet" counts (Long.MAX_VALUE: not quiet). */
    private long[] sourceQuietUntil;
    /** The earliest of sourceQuietUntil over the sources holding QUIET. */
    private long quietExpires = Long.MAX_VALUE;
    /** Per source partition, from its last mark: whether it had records left to consume. */
    private boolean[] sourceBehind;
    private int sourcesHeard;
    /** The smallest hold of all sources (NONE: a source not heard from yet; QUIET: every source is quiet). */
    private long watermark = NONE;
    /**
     * Wall time of the task's first record or punctuation since init (NONE: none yet): marks sent before it are of
     * an earlier run (read again after a crash) and say nothing.
     */
    private long initWall;
    /**
     * Wall time of the last processed record, of the task's first punctuation (NONE until then), or of the last
     * punctuation that saw records still to consume on an input partition: idleness counts from here. Not the
     * init time: the context's cached system time is not set yet in init().
     */
    private long lastActivityWall = NONE;
    /** Wall time of the last punctuation (NONE: none yet). */
    private long lastPunctuationWall = NONE;
    /** Stream time at lastActivityWall: the base of the idle advance. */
    private long baseStreamTime = NONE;

    // In memory only, rebuilt after every init() (also when a task is revived over state restored to its last commit).
    /** Whether users, dueQueue and openSessions hold the task's state yet (see ensureSchedule). */
    private boolean scheduled;
    /** Every user with state on this task. */
    private Map<String, UserEntry> users;
    /** Users by the time they are next due (finalization or expiry of the final context); lazily corrected. */
    private PriorityQueue<Due> dueQueue;
    /** Headers changed since the last flush of the sessions store, in the order of their changes. */
    private List<UserEntry> dirty;
    private final int headerCache;
    private final Enrichment.LookupUpdates lookupUpdates;
    private int cachedHeaders;
    private long openSessions;
    private int sinceSweep;

    /** What the processor knows of a user with state. */
    private static final class UserEntry {
        final String user;
        /** The user id as UTF-8, the prefix of the user's store keys: encoded once, not per event. */
        final byte[] userBytes;
        /** Due time queued in dueQueue (MAX_VALUE: none) and the real one, which may have moved later since. */
        long queuedDue = Long.MAX_VALUE;
        long due = NONE;
        /** The header, when loaded; null for a deleted user. */
        UserHeader header;
        boolean dirty;
        boolean deleted;

        UserEntry(String user) {
            this.user = user;
            this.userBytes = utf8(user);
        }
    }

    /** A queued due time, with the entry it is for: no lookup by user id when it comes up. */
    private record Due(long due, UserEntry entry) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            return Long.compare(due, o.due);
        }
    }

    SessionizeProcessor(SessionRules rules, SessionizerMetrics metrics, String eventsTopic, InputLag inputLag) {
        this(rules, metrics, eventsTopic, inputLag, HEADER_CACHE);
    }

    /** @param headerCache headers kept in memory per task (tests make it small, so that eviction runs all along) */
    SessionizeProcessor(SessionRules rules, SessionizerMetrics metrics, String eventsTopic, InputLag inputLag,
                        int headerCache) {
        this(rules, metrics, eventsTopic, inputLag, headerCache, null);
    }

    /**
     * @param lookupUpdates the global stores' update counts, moved by their updaters: profiles and pages read are
     *                      then cached (up to {@code headerCache} each) until they move; null: no cache
     */
    SessionizeProcessor(SessionRules rules, SessionizerMetrics metrics, String eventsTopic, InputLag inputLag,
                        int headerCache, Enrichment.LookupUpdates lookupUpdates) {
        this.headerCache = checkedHeaderCache(headerCache);
        this.lookupUpdates = lookupUpdates;
        this.rules = rules;
        this.metrics = metrics;
        this.eventsTopic = eventsTopic;
        this.inputLag = inputLag;
        this.idleAfterMs = rules.idleAdvanceAfter().toMillis();
        this.dedupWindowMs = rules.dedupWindow().toMillis();
        // See README "retention": after this much stream time past the last final event, no event that would
        // extend that session can be accepted any more (it would be final on arrival), so its context can go.
        this.contextRetentionMs = saturatedAdd(2 * rules.gapMs() + rules.graceMs(), rules.maxDurationMs());
    }

    /** The header cache's size, rejected below 1 (the topology checks it when built, the processor when made). */
    static int checkedHeaderCache(int headerCache) {
        if (headerCache < 1) {
            throw new IllegalArgumentException("headerCache must be at least 1: " + headerCache);
        }
        return headerCache;
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
        this.context = context;
        this.task = context.taskId();
        input = new TopicPartition(eventsTopic, task.partition());
        streamTimeStore = context.getStateStore(SessionizerTopology.STREAM_TIME_STORE);
        dedup = new DedupIndex(context.getStateStore(SessionizerTopology.DEDUP_IDS_STORE),
                context.getStateStore(SessionizerTopology.LEGACY_DEDUP_STORE), dedupWindowMs);
        headers = context.getStateStore(SessionizerTopology.SESSIONS_STORE);
        events = context.getStateStore(SessionizerTopology.SESSION_EVENTS_STORE);
        enrichment = new Enrichment(context.getStateStore(SessionizerTopology.PROFILES_STORE),
                context.getStateStore(SessionizerTopology.PAGES_STORE), JsonSerde.newMapper(),
                lookupUpdates == null ? Enrichment.LookupUpdates.NONE : lookupUpdates,
                lookupUpdates == null ? 0 : headerCache);

        streamTime = storedTime(STREAM_TIME_KEY);
        settledTime = streamTime;
        ledger = StreamTimeLedger.fromBytes(streamTimeStore.get(LEDGER_KEY));
        directMax = storedTime(DIRECT_MAX_KEY);
        directMaxChanged = false;
        streamTimeChanged = false;
        ledgerChanged = false;
        // The sources report again within a mark interval; until then they hold finalization back.
        sourceHold = null;
        sourceProgress = null;
        sourceQuietUntil = null;
        quietExpires = Long.MAX_VALUE;
        sourceBehind = null;
        sourcesHeard = 0;
        // Taken at the first record or punctuation: the context's cached wall clock is not set yet in init().
        initWall = NONE;
        watermark = NONE;
        baseStreamTime = processedStreamTime();
        // Time in which no instance owned the partition must not count as idle time.
        lastActivityWall = NONE;
        lastPunctuationWall = NONE;
        users = new HashMap<>();
        dueQueue = new PriorityQueue<>();
        dirty = new ArrayList<>();
        cachedHeaders = 0;
        openSessions = 0;
        sinceSweep = 0;
        scheduled = false;
        HeaderStore.beforeFlush(headers, this::writeDirtyHeaders, this::discardDirtyHeaders);
        metrics.openSessions(task, openSessions);
        metrics.streamTime(task, streamTime);
        long interval = Math.max(1, Math.min(1000, idleAfterMs / 2));
        punctuator = context.schedule(Duration.ofMillis(interval), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    /**
     * Rebuilds the schedule before the first record or punctuation of the task, the first moments it is needed.
     * Kafka Streams calls init() on the stream thread after restoring the task and before it counts the task as
     * running, so a pass over all restored headers there held back the instance's RUNNING state (and readiness) by
     * as long as the pass takes. Nothing reads the schedule before the first record or punctuation, and nothing
     * changes the stores in between, so the pass finds what it would have found in init(): no outcome changes.
     */
    private void ensureSchedule() {
        if (!scheduled) {
            scheduled = true;
            dedup.open();
            rebuildSchedule();
            metrics.openSessions(task, openSessions);
        }
    }

    /** One pass over the headers (small by design): due times, the open-session count, migration of old values. */
    private void rebuildSchedule() {
        List<KeyValue<String, UserHeader>> legacy = new ArrayList<>();
        try (KeyValueIterator<String, UserHeader> it = headers.all()) {
            while (it.hasNext()) {
                KeyValue<String, UserHeader> kv = it.next();
                kv.value.settledAt(settledTime, rules);
                if (kv.value.legacyEvents != null) {
                    legacy.add(kv);
                }
                openSessions += kv.value.open.size();
                UserEntry entry = new UserEntry(kv.key);
                users.put(kv.key, entry);
                schedule(entry, dueOf(kv.value));
            }
        }
        for (KeyValue<String, UserHeader> kv : legacy) {
            UserEntry entry = users.get(kv.key);
            for (int i = 0; i < kv.value.open.size(); i++) {
                storeEvents(entry.userBytes, kv.value.open.get(i), kv.value.legacyEvents.get(i));
            }
            kv.value.legacyEvents = null;
            putHeader(entry, kv.value);
        }
    }

    /**
     * Kafka Streams throws a task's uncommitted state away (and re-initializes the processor before it runs
     * again): the pending headers go with it, and headers are read from the store again.
     */
    private void discardDirtyHeaders() {
        for (UserEntry entry : dirty) {
            entry.dirty = false;
        }
        dirty.clear();
        for (UserEntry entry : users.values()) {
            entry.header = null;
        }
        cachedHeaders = 0;
    }

    /**
     * The write-behind of the sessions store, run when Kafka Streams flushes it before a commit: each header
     * changed since the last flush is written once, and its changelog record joins the committing transaction.
     */
    private void writeDirtyHeaders() {
        if (streamTimeChanged) {
            storeTime(STREAM_TIME_KEY, streamTime);
            streamTimeChanged = false;
        }
        if (directMaxChanged) {
            storeTime(DIRECT_MAX_KEY, directMax);
            directMaxChanged = false;
        }
        if (ledgerChanged) {
            streamTimeStore.put(LEDGER_KEY, ledger.isEmpty() ? null : ledger.toBytes());
            ledgerChanged = false;
        }
        for (UserEntry entry : dirty) {
            headers.put(entry.user, entry.deleted ? null : entry.header);
            entry.dirty = false;
        }
        dirty.clear();
        if (cachedHeaders > headerCache) {
            for (UserEntry entry : users.values()) {
                if (entry.header != null) {
                    entry.header = null;
                    if (--cachedHeaders <= headerCache / 2) {
                        break;
                    }
                }
            }
        }
    }

    @Override
    public void process(Record<String, Validated> record) {
        if (record.value() instanceof Validated.Mark mark) {
            onMark(mark);
            return;
        }
        Validated.ValidEvent v = (Validated.ValidEvent) record.value();
        if (v == null) {
            metrics.nullValues.increment();
            return;
        }
        ensureSchedule();
        if (initWall == NONE) {
            initWall = context.currentSystemTimeMs();
        }
        // The cached system time is that of the start of the thread's current processing batch, which can be older
        // than the last punctuation; but a record processed after a punctuation was processed no earlier than it.
        lastActivityWall = Math.max(context.currentSystemTimeMs(), lastPunctuationWall);
        Event e = v.event();
        // Every valid record advances stream time, before the duplicate and lateness checks; sessions it makes final
        // are finalized after it (it may still join one of them).
        long before = observe(record.timestamp(), e.ts(), rekeyed(record, v));
        long asOf = before == NONE ? e.ts() : Math.max(before, e.ts());
        baseStreamTime = processedStreamTime();
        if (isDuplicate(v.userId(), e, asOf)) {
            metrics.duplicate.increment();
        } else {
            acceptOrLate(record, v, before, asOf);
        }
        settleDue();
        if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            sweepDedup(SWEEP_STEP);
        }
    }

    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
            punctuator = null;
        }
        // Kafka Streams flushes (and so writes the dirty headers) before it closes a task cleanly; a dirty close
        // discards the task's uncommitted state, so the write-behind must not outlive the processor.
        HeaderStore.beforeFlush(headers, null, null);
        metrics.taskClosed(task);
        users = null;
        dueQueue = null;
        dirty = null;
    }

    /**
     * Idle advance: stream time grows by the wall time elapsed since the partition became idle. A partition with
     * records still to consume on one of the task's input partitions is not idle, however long ago its last record
     * was processed (a backlog, a replay, an instance behind its input): its idle period starts afresh.
     */
    private void onWallClock(long now) {
        ensureSchedule();
        if (initWall == NONE) {
            initWall = now;
        }
        lastPunctuationWall = now;
        if (lastActivityWall == NONE || inputBehind()) {
            lastActivityWall = now;
            baseStreamTime = processedStreamTime();
        }
        if (processedStreamTime() != NONE) {
            long idleSince = lastActivityWall + idleAfterMs;
            if (now > idleSince) {
                // Idle: nothing is on its way any more, so what waited for the sources' confirmation is confirmed.
                long candidate = Math.max(baseStreamTime + (now - idleSince), processedStreamTime());
                if (!ledger.isEmpty()) {
                    ledger.foldUpTo(Long.MAX_VALUE);
                    ledgerChanged = true;
                }
                if (streamTime == NONE || candidate > streamTime) {
                    setStreamTime(candidate);
                }
            }
            settleDue();
            sweepDedup(SWEEP_STEP);
        }
        metrics.streamTime(task, streamTime);
        metrics.openSessions(task, openSessions);
    }

    /**
     * Whether the task's partition of the events topic is known to hold records not consumed yet, or another source
     * partition may still send a backlog of re-keyed records here (its consumer lag is above 0, it has fetched
     * records not processed and committed yet, or, for a partition consumed elsewhere, its last mark said it had
     * records to process or it has not reported since init). The repartition topic's own lag says nothing: the marks
     * keep arriving on it, and a source's backlog is not on it yet. Live traffic on other partitions does not count:
     * what it re-keys here arrives within a commit interval and is activity then. This partition's own marks are not
     * needed here: its lag is read directly, and its fetched records are processed by this task.
     */
    private boolean inputBehind() {
        OptionalLong lag = inputLag.lag(input);
        if (lag.isPresent() && lag.getAsLong() > 0) {
            return true;
        }
        if (sourceHold == null) {
            return true;
        }
        for (int s = 0; s < sourceHold.length; s++) {
            if (s == task.partition()) {
                continue;
            }
            // A partition this instance consumes itself: its lag and its task's offsets are at hand, without the
            // marks' delay.
            TopicPartition source = new TopicPartition(eventsTopic, s);
            OptionalLong local = inputLag.lag(source);
            if (local.isPresent() ? local.getAsLong() > 0 || uncommitted(source)
                    : sourceHold[s] == NONE || sourceBehind[s]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether records fetched for a source partition's task here are not yet processed and committed. A lag of 0
     * counts fetched records as consumed, but what the source's task re-keys from them is on its way only once they
     * are processed, and visible here once committed (after a restart the task may still be restoring while its
     * consumer has fetched the backlog). Committed, the offset is past the last record fetched.
     */
    private boolean uncommitted(TopicPartition source) {
        OptionalLong fetched = inputLag.lastFetched(source);
        if (fetched.isEmpty() || fetched.getAsLong() < 0) {
            return false;
        }
        OptionalLong committed = inputLag.lastCommitted(source);
        return committed.isEmpty() || committed.getAsLong() <= fetched.getAsLong();
    }

    /** Whether the record came through the repartition topic (rather than straight from the events topic). */
    private boolean rekeyed(Record<String, Validated> record, Validated.ValidEvent v) {
        return context.recordMetadata().map(m -> !eventsTopic.equals(m.topic())).orElse(!v.onItsPartition());
    }

    /**
     * Takes a processed event (ts, with record timestamp t) into stream time and returns the stream time it is
     * judged by, before it: the largest ts of the events processed here earlier with a record timestamp up to t, and
     * for a direct record also of every direct record before it. Direct records come in the order of their
     * partition, which is the order they were written in, so a producer stamping its records with something else
     * than the send time (event time, say) cannot change how direct records are judged; re-keyed records that were
     * written after a direct one but arrived first do not count for it.
     */
    private long observe(long t, long ts, boolean rekeyed) {
        expireQuiet();
        long before;
        if (watermark == QUIET && ledger.isEmpty()) {
            // Every source is quiet: every record is judged by the stream time reached, as it arrives.
            before = streamTime;
            if (streamTime == NONE || ts > streamTime) {
                setStreamTime(ts);
            }
        } else {
            // Records of t's own millisecond cannot be ordered by their record time (a producer's burst shares one):
            // only earlier ones judge this record.
            before = Math.max(streamTime, ledger.upTo(t - 1));
            if (!rekeyed) {
                before = Math.max(before, directMax);
            }
            ledger.add(t, ts);
            ledgerChanged = true;
            foldConfirmed();
        }
        if (!rekeyed && (directMax == NONE || ts > directMax)) {
            directMax = ts;
            directMaxChanged = true;
        }
        return before;
    }

    /** What every source has confirmed becomes the partition's stream time. */
    private void foldConfirmed() {
        if (ledger.isEmpty()) {
            return;
        }
        long folded = ledger.foldUpTo(watermark);
        if (folded != NONE) {
            ledgerChanged = true;
            if (folded > streamTime) {
                setStreamTime(folded);
            }
        }
    }

    /** The largest ts processed here: what stream time reaches once every source has confirmed it. */
    private long processedStreamTime() {
        return Math.max(streamTime, ledger.max());
    }

    /** A source's progress: its hold moves, and what every source has confirmed may be final now. */
    private void onMark(Validated.Mark mark) {
        if (initWall == NONE) {
            initWall = context.currentSystemTimeMs();
        }
        if (mark.sentAt() < initWall) {
            // Sent before this task started (read again from the topic after a crash): the source's state then
            // says nothing about now, and trusting a "quiet" from before a crash lets finalization run over the
            // backlog the crash left. The source's next mark (at most a heartbeat away) counts.
            return;
        }
        if (sourceHold == null || sourceHold.length != mark.sources()) {
            sourceHold = new long[mark.sources()];
            sourceProgress = new long[mark.sources()];
            sourceQuietUntil = new long[mark.sources()];
            sourceBehind = new boolean[mark.sources()];
            java.util.Arrays.fill(sourceHold, NONE);
            sourcesHeard = 0;
        }
        if (mark.source() < 0 || mark.source() >= sourceHold.length) {
            return;
        }

        if (sourceHold[mark.source()] == NONE) {
            sourcesHeard++;
        }
        // NONE means "not heard from"; an active source that has processed nothing yet holds everything back too.
        long progress = Math.max(mark.progress(), NONE + 1);
        sourceProgress[mark.source()] = progress;
        sourceQuietUntil[mark.source()] = mark.quiet() ? saturatedAdd(mark.sentAt(), QUIET_MARK_MAX_AGE_MS)
                : Long.MAX_VALUE;
        sourceHold[mark.source()] = mark.quiet() ? QUIET : progress;
        sourceBehind[mark.source()] = mark.behind();
        updateWatermark();
        expireQuiet();
        ensureSchedule();
        foldConfirmed();
        settleDue();
    }

    private void updateWatermark() {
        long w = QUIET;
        long expires = Long.MAX_VALUE;
        for (int s = 0; s < sourceHold.length; s++) {
            w = Math.min(w, sourceHold[s]);
            if (sourceHold[s] == QUIET) {
                expires = Math.min(expires, sourceQuietUntil[s]);
            }
        }
        watermark = sourcesHeard < sourceHold.length ? NONE : w;
        quietExpires = expires;
    }

    /** A "quiet" past its age holds at its source's progress (see {@link #QUIET_MARK_MAX_AGE_MS}). */
    private void expireQuiet() {
        long now = context.currentSystemTimeMs();
        if (sourceHold == null || now <= quietExpires) {
            return;
        }
        for (int s = 0; s < sourceHold.length; s++) {
            if (sourceHold[s] == QUIET && now > sourceQuietUntil[s]) {
                sourceHold[s] = sourceProgress[s];
            }
        }
        updateWatermark();
    }

    /** An 8-byte big-endian value of the stream-time store, as the Long serde of earlier versions wrote it. */
    private long storedTime(String key) {
        return decodeTime(streamTimeStore.get(key));
    }

    /** A value of the stream-time store (null: none), as {@link #storeTime} writes it; interactive queries read it too. */
    static long decodeTime(byte[] stored) {
        return stored == null ? NONE : ByteBuffer.wrap(stored).getLong();
    }

    private void storeTime(String key, long t) {
        streamTimeStore.put(key, ByteBuffer.allocate(8).putLong(t).array());
    }

    private void setStreamTime(long t) {
        streamTime = t;
        streamTimeChanged = true;
    }

    /** Also records the first copy (late or not) so that later copies are recognised. */
    private boolean isDuplicate(String userId, Event e, long asOf) {
        return dedup.isDuplicate(StoreKeys.dedup(userId, e.eventId()), e.ts(), asOf);
    }

    private void acceptOrLate(Record<String, Validated> record, Validated.ValidEvent v, long before, long asOf) {
        String user = v.userId();
        UserEntry entry = users.get(user);
        UserHeader h = entry == null ? null : header(entry);
        if (h == null) {
            h = UserHeader.empty();
        }
        boolean known = entry != null;
        if (!known) {
            entry = new UserEntry(user);
        }
        byte[] userBytes = entry.userBytes;
        if (!admit(h, userBytes, v.event(), before, asOf)) {
            late(record, v);
            return;
        }
        metrics.accepted.increment();
        if (!known) {
            users.put(user, entry);
        }
        settleUser(entry, h, true);
    }

    /**
     * Judges the event by the stream time as of its record: {@code before} it, the user's open sessions final then,
     * though not emitted yet (a source behind holds finalization back), count as final for it; {@code asOf}, with
     * it, decides whether it would join a session final on arrival. Returns false when the event is too late;
     * otherwise it is in the user's open sessions.
     */
    private boolean admit(UserHeader h, byte[] user, Event e, long before, long asOf) {
        int finalAsOf = 0;
        while (before != NONE && finalAsOf < h.open.size()
                && rules.finalAt(h.open.get(finalAsOf).summary.lastTs()) <= before) {
            finalAsOf++;
        }
        if (finalAsOf == 0) {
            return addIfInTime(h, user, e, asOf);
        }
        FinalContext emitted = h.lastFinal;
        List<UserHeader.Open> held = new ArrayList<>(h.open.subList(0, finalAsOf));
        h.open.subList(0, finalAsOf).clear();
        h.lastFinal = held.get(held.size() - 1).summary.finalContext();
        try {
            return addIfInTime(h, user, e, asOf);
        } finally {
            h.open.addAll(0, held);
            h.lastFinal = emitted;
        }
    }

    /** The contract's rules, with every session of {@code h.open} open at {@code asOf}. */
    private boolean addIfInTime(UserHeader h, byte[] user, Event e, long asOf) {
        FinalContext fin = h.lastFinal;
        // Ordering at or before the last final event: it would belong to, extend or join final sessions.
        if (fin != null && e.compareTo(fin.lastTs(), fin.lastEventId()) <= 0) {
            return false;
        }
        UserHeader.Open last = h.open.isEmpty() ? null : h.last();
        if (last == null || last.summary.orderedAfter(e)) {
            // In order: only the user's last session (or the last final one) can decide.
            if (rules.finalAt(e.ts()) <= asOf) {
                return false; // it would form or end a session that is already final on arrival
            }
            if (last == null) {
                if (fin != null && !SessionRulesEngine.startsNewSession(fin.start(), fin.campaign(), fin.lastTs(), e,
                        rules)) {
                    return false; // it would extend the last final session after its end
                }
                openSession(h, e);
            } else if (SessionRulesEngine.startsNewSession(last.summary.firstTs(), last.summary.campaign(),
                    last.summary.lastTs(), e, rules)) {
                openSession(h, e);
            } else {
                append(user, last, e);
            }
            return true;
        }
        UserHeader.Open inside = insideWithoutSplit(h, e);
        if (inside == null) {
            return resplit(h, user, e, asOf);
        }
        if (rules.finalAt(inside.summary.lastTs()) <= asOf) {
            return false;
        }
        append(user, inside, e);
        return true;
    }

    /**
     * The open session the event falls strictly inside, when no rule can start a session at it or after it: the
     * gaps to its neighbours are within that session's, the session start does not move (max duration), local
     * days are those of the neighbours (day boundary), and an event without utm_source never splits (campaign).
     */
    private UserHeader.Open insideWithoutSplit(UserHeader h, Event e) {
        if (rules.splitOnCampaign() && e.utmSource() != null) {
            return null;
        }
        for (UserHeader.Open o : h.open) {
            if (o.summary.strictlyInside(e)) {
                return o;
            }
        }
        return null;
    }

    /**
     * The exact path for an event that may move session boundaries: the user's open events are read back, the
     * event is inserted and the contract's rules split them again. Returns false when the event is too late.
     */
    private boolean resplit(UserHeader h, byte[] user, Event e, long asOf) {
        long expected = h.openEvents();
        List<Event> all = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, expected + 1));
        for (UserHeader.Open o : h.open) {
            if (o.chunks > 0) {
                try (KeyValueIterator<Bytes, byte[]> it = events.range(StoreKeys.event(user, o.seq, 0),
                        StoreKeys.event(user, o.seq, o.chunks - 1))) {
                    while (it.hasNext()) {
                        StateCodec.chunkFromBytes(it.next().value, all);
                    }
                }
            }
            all.addAll(o.tail());
        }
        if (all.size() != expected) {
            throw new IllegalStateException("the open sessions of a user hold " + all.size() + " events, its header "
                    + expected);
        }
        all.add(e);
        all.sort(Event.ORDER);
        SessionRulesEngine.Split split = SessionRulesEngine.split(all, h.lastFinal, rules);
        if (!split.joinsFinal().isEmpty()) {
            return false; // it would extend the last final session after its end
        }
        List<Event> own = sessionOf(split.sessions(), e);
        if (rules.finalAt(own.get(own.size() - 1).ts()) <= asOf) {
            return false; // it would form (or be part of) a session that is already final on arrival
        }
        for (UserHeader.Open o : h.open) {
            deleteEvents(user, o);
        }
        openSessions -= h.open.size();
        h.open.clear();
        for (List<Event> session : split.sessions()) {
            UserHeader.Open o = new UserHeader.Open(h.nextSeq++, SessionSummary.of(session), 0, List.of());
            storeEvents(user, o, session);
            h.open.add(o);
        }
        openSessions += h.open.size();
        return true;
    }

    private void openSession(UserHeader h, Event e) {
        h.open.add(new UserHeader.Open(h.nextSeq++, SessionSummary.of(e), 0, List.of(e)));
        openSessions++;
    }

    private void append(byte[] user, UserHeader.Open session, Event e) {
        session.summary.add(e);
        session.appendToTail(e);
        if (session.tailSize() >= UserHeader.CHUNK) {
            events.put(StoreKeys.event(user, session.seq, session.chunks++), session.tailAsChunk());
            session.replaceTail(List.of());
        }
    }

    /** Stores a session's events (any order) as full chunks and an inline tail. */
    private void storeEvents(byte[] user, UserHeader.Open session, List<Event> all) {
        int full = all.size() / UserHeader.CHUNK;
        session.chunks = 0;
        for (int k = 0; k < full; k++) {
            events.put(StoreKeys.event(user, session.seq, session.chunks++),
                    StateCodec.chunkToBytes(all.subList(k * UserHeader.CHUNK, (k + 1) * UserHeader.CHUNK)));
        }
        session.replaceTail(all.subList(full * UserHeader.CHUNK, all.size()));
    }

    /** By key, without reading: a put of null is a delete that skips the read a store's delete() does. */
    private void deleteEvents(byte[] user, UserHeader.Open session) {
        for (int n = 0; n < session.entries(); n++) {
            events.put(StoreKeys.event(user, session.seq, n), null);
        }
    }

    /**
     * Rewrites, in chunks, the sessions an earlier version stored one event per entry: so that no other path needs
     * to know that layout. Returns whether the header changed.
     */
    private boolean rewriteSingleEvents(byte[] user, UserHeader h) {
        boolean changed = false;
        for (UserHeader.Open o : h.open) {
            if (!o.singleEvents()) {
                continue;
            }
            List<Event> all = new ArrayList<>(o.summary.count());
            for (int n = 0; n < o.summary.count(); n++) {
                Bytes key = StoreKeys.event(user, o.seq, n);
                byte[] value = events.get(key);
                if (value == null) {
                    throw new IllegalStateException("session-events lack event " + n + " of a session of "
                            + o.summary.count());
                }
                all.add(StateCodec.fromBytes(value));
                events.put(key, null);
            }
            storeEvents(user, o, all);
            changed = true;
        }
        return changed;
    }

    private void late(Record<String, Validated> record, Validated.ValidEvent v) {
        metrics.late.increment();
        // The wall clock as record time: a replay of old data must not be deleted by the late topic's retention
        // before anyone reads it.
        context.forward(new Record<>(v.userId(), Output.late(v.raw()), context.currentSystemTimeMs(),
                record.headers()));
    }

    /**
     * Emits the user's sessions that are final at the current stream time, then stores what is left (or deletes
     * the user's state once nothing is open and the final context has expired) and reschedules the user. A header
     * that changed only by emitting ({@code changed} false) is not written: read back, it is settled as of the stream
     * time committed with the emitted sessions ({@link UserHeader#settledAt}), which gives the same header.
     */
    private void settleUser(UserEntry entry, UserHeader h, boolean changed) {
        String user = entry.user;
        byte[] userBytes = entry.userBytes;
        while (!h.open.isEmpty() && rules.finalAt(h.first().summary.lastTs()) <= streamTime) {
            UserHeader.Open session = h.open.remove(0);
            emit(user, session.summary);
            deleteEvents(userBytes, session);
            h.lastFinal = session.summary.finalContext();
            openSessions--;
        }
        long due = dueOf(h);
        if (due != NONE && due > streamTime) {
            if (changed) {
                putHeader(entry, h);
            }
            schedule(entry, due);
        } else if (users.remove(user) != null) {
            if (entry.header != null) {
                cachedHeaders--;
            }
            entry.header = null;
            entry.deleted = true;
            markDirty(entry);
        }
    }

    private long dueOf(UserHeader h) {
        if (!h.open.isEmpty()) {
            return rules.finalAt(h.first().summary.lastTs());
        }
        return h.lastFinal == null ? NONE : saturatedAdd(h.lastFinal.lastTs(), contextRetentionMs);
    }

    private void emit(String user, SessionSummary summary) {
        long closedAt = context.currentSystemTimeMs();
        Session session = summary.toSession(user, enrichment.profile(user), enrichment::page, closedAt);
        // The record timestamp is the wall-clock close time: a replay of old data must not produce records
        // that topic retention deletes before the sink reads them.
        context.forward(new Record<>(user, Output.session(sessionJson.write(session)), closedAt));
        metrics.emitted.increment();
        metrics.finalizationLag.record(streamTime - rules.finalAt(summary.lastTs()));
    }

    /** The user's header, loaded from the store when it is not in memory (never while it is dirty). */
    private UserHeader header(UserEntry entry) {
        if (entry.header == null) {
            UserHeader h = headers.get(entry.user);
            if (h == null) {
                throw new IllegalStateException("no header in the sessions store for user with state " + entry.user);
            }
            entry.header = h.settledAt(settledTime, rules);
            cachedHeaders++;
            if (rewriteSingleEvents(entry.userBytes, h)) {
                markDirty(entry);
            }
        }
        return entry.header;
    }

    private void putHeader(UserEntry entry, UserHeader h) {
        if (entry.header == null) {
            cachedHeaders++;
        }
        entry.header = h;
        markDirty(entry);
    }

    /** Headers held in memory (for tests of the cache's bound). */
    int cachedHeaders() {
        return cachedHeaders;
    }

    private void markDirty(UserEntry entry) {
        if (!entry.dirty) {
            entry.dirty = true;
            dirty.add(entry);
        }
    }

    /** Registers the user's (new) due time; an earlier entry in the queue is corrected when it comes up. */
    private void schedule(UserEntry entry, long due) {
        if (due == NONE) {
            return;
        }
        entry.due = due;
        if (due < entry.queuedDue) {
            entry.queuedDue = due;
            dueQueue.add(new Due(due, entry));
        }
    }

    /** Finalizes every user whose due time stream time has reached. */
    private void settleDue() {
        while (streamTime != NONE && !dueQueue.isEmpty() && dueQueue.peek().due <= streamTime) {
            Due next = dueQueue.poll();
            UserEntry entry = next.entry;
            if (entry.deleted || entry.queuedDue != next.due) {
                continue; // superseded by an earlier due time, or the user's state is gone
            }
            entry.queuedDue = Long.MAX_VALUE;
            if (entry.due > streamTime) {
                entry.queuedDue = entry.due; // the user's due time moved later since it was queued
                dueQueue.add(new Due(entry.due, entry));
                continue;
            }
            settleUser(entry, header(entry), false);
        }
        settledTime = streamTime;
    }

    /**
     * Deletes dedup entries whose window stream time has passed, visiting at most {@code budget} entries from where
     * the last step stopped. A lookup judges the window itself, so the sweep's timing never changes an outcome; it
     * only keeps the store at about the events of one window.
     */
    private void sweepDedup(int budget) {
        if (streamTime != NONE) {
            dedup.sweep(streamTime, budget);
        }
    }

    private static List<Event> sessionOf(List<List<Event>> sessions, Event e) {
        for (List<Event> s : sessions) {
            for (Event x : s) {
                if (x == e) {
                    return s;
                }
            }
        }
        throw new IllegalStateException("event not in any session");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
