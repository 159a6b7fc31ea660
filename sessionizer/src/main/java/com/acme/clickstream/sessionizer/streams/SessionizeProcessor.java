package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.SessionRulesEngine;
import com.acme.clickstream.sessionizer.model.SessionSummarizer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The stateful heart: per partition stream time (with idle advance), deduplication, lateness, the per-user
 * buffer of open sessions and their finalization. All decisions depend only on the record order of the
 * partition, the stores and the wall clock of idle periods, so a restart resumes exactly from committed state.
 */
final class SessionizeProcessor implements Processor<String, Validated.ValidEvent, String, Output> {

    static final String STREAM_TIME_KEY = "stream-time";
    private static final byte[] EMPTY = new byte[0];
    private static final long NONE = SessionizerMetrics.NO_STREAM_TIME;
    /** Index entries handled per iterator, so that a large backlog does not build one huge list. */
    private static final int BATCH = 10_000;

    private final SessionRules rules;
    private final SessionizerMetrics metrics;
    private final JsonSerde<Session> sessionSerde;
    private final long idleAfterMs;
    private final long dedupWindowMs;
    private final long contextRetentionMs;
    private final String eventsTopic;
    private final InputLag inputLag;

    private ProcessorContext<String, Output> context;
    private TaskId task;
    private KeyValueStore<String, Long> streamTimeStore;
    private KeyValueStore<Bytes, Long> dedup;
    private KeyValueStore<Bytes, byte[]> dedupExpiry;
    private KeyValueStore<String, UserState> sessions;
    private KeyValueStore<Bytes, byte[]> closeIndex;
    private Enrichment enrichment;
    /** The task's input partitions: its partition of the events topic and of the repartition topic. */
    private TopicPartition[] inputs;

    private long streamTime = NONE;
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
    /** Smallest due time in the close index (Long.MAX_VALUE: none), to skip scans. */
    private long nextDue = Long.MAX_VALUE;
    /** Smallest ts in the dedup expiry index (Long.MAX_VALUE: none). */
    private long nextExpiry = Long.MAX_VALUE;
    /**
     * Lower bounds of the live entries of the two time indexes. Scans seek here instead of to the first key:
     * RocksDB would otherwise step over every delete tombstone left at the front of these queue-like indexes.
     */
    private long dueFloor = 0;
    private long expiryFloor = 0;

    SessionizeProcessor(SessionRules rules, SessionizerMetrics metrics, String eventsTopic, InputLag inputLag) {
        this.rules = rules;
        this.metrics = metrics;
        this.eventsTopic = eventsTopic;
        this.inputLag = inputLag;
        this.sessionSerde = new JsonSerde<>(Session.class);
        this.idleAfterMs = rules.idleAdvanceAfter().toMillis();
        this.dedupWindowMs = rules.dedupWindow().toMillis();
        // See README "retention": after this much stream time past the last final event, no event that would
        // extend that session can be accepted any more (it would be final on arrival), so its context can go.
        this.contextRetentionMs = saturatedAdd(2 * rules.gapMs() + rules.graceMs(), rules.maxDurationMs());
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
        this.context = context;
        this.task = context.taskId();
        inputs = new TopicPartition[] {
                new TopicPartition(eventsTopic, task.partition()),
                new TopicPartition(SessionizerTopology.repartitionTopic(context.applicationId()), task.partition())};
        streamTimeStore = context.getStateStore(SessionizerTopology.STREAM_TIME_STORE);
        dedup = context.getStateStore(SessionizerTopology.DEDUP_STORE);
        dedupExpiry = context.getStateStore(SessionizerTopology.DEDUP_EXPIRY_STORE);
        sessions = context.getStateStore(SessionizerTopology.SESSIONS_STORE);
        closeIndex = context.getStateStore(SessionizerTopology.CLOSE_INDEX_STORE);
        enrichment = new Enrichment(context.getStateStore(SessionizerTopology.PROFILES_STORE),
                context.getStateStore(SessionizerTopology.PAGES_STORE), JsonSerde.newMapper());

        Long stored = streamTimeStore.get(STREAM_TIME_KEY);
        streamTime = stored == null ? NONE : stored;
        baseStreamTime = streamTime;
        // Time in which no instance owned the partition must not count as idle time.
        lastActivityWall = NONE;
        lastPunctuationWall = NONE;
        nextDue = firstTime(closeIndex);
        nextExpiry = firstTime(dedupExpiry);
        long open = 0;
        try (KeyValueIterator<String, UserState> it = sessions.all()) {
            while (it.hasNext()) {
                open += it.next().value.open().size();
            }
        }
        metrics.openSessions(task, open);
        metrics.streamTime(task, streamTime);
        long interval = Math.max(1, Math.min(1000, idleAfterMs / 2));
        context.schedule(Duration.ofMillis(interval), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<String, Validated.ValidEvent> record) {
        Validated.ValidEvent v = record.value();
        if (v == null) {
            metrics.nullValues.increment();
            return;
        }
        // The cached system time is that of the start of the thread's current processing batch, which can be older
        // than the last punctuation; but a record processed after a punctuation was processed no earlier than it.
        lastActivityWall = Math.max(context.currentSystemTimeMs(), lastPunctuationWall);
        Event e = v.event();
        // Every valid record advances stream time, before the duplicate and lateness checks.
        if (streamTime == NONE || e.ts() > streamTime) {
            setStreamTime(e.ts());
        }
        baseStreamTime = streamTime;
        if (isDuplicate(v.userId(), e)) {
            metrics.duplicate.increment();
        } else {
            acceptOrLate(record, v);
        }
        settleDue();
        expireDedup();
    }

    @Override
    public void close() {
        metrics.taskClosed(task);
    }

    /**
     * Idle advance: stream time grows by the wall time elapsed since the partition became idle. A partition with
     * records still to consume on one of the task's input partitions is not idle, however long ago its last record
     * was processed (a backlog, a replay, an instance behind its input): its idle period starts afresh.
     */
    private void onWallClock(long now) {
        lastPunctuationWall = now;
        if (lastActivityWall == NONE || inputBehind()) {
            lastActivityWall = now;
            baseStreamTime = streamTime;
        }
        if (streamTime == NONE) {
            return;
        }
        long idleSince = lastActivityWall + idleAfterMs;
        if (now > idleSince) {
            long candidate = baseStreamTime + (now - idleSince);
            if (candidate > streamTime) {
                streamTime = candidate;
            }
        }
        setStreamTime(streamTime);
        settleDue();
        expireDedup();
    }

    /** Whether one of the task's input partitions is known to hold records not consumed yet. */
    private boolean inputBehind() {
        for (TopicPartition tp : inputs) {
            OptionalLong lag = inputLag.lag(tp);
            if (lag.isPresent() && lag.getAsLong() > 0) {
                return true;
            }
        }
        return false;
    }

    private void setStreamTime(long t) {
        streamTime = t;
        streamTimeStore.put(STREAM_TIME_KEY, t);
        metrics.streamTime(task, t);
    }

    /** Also records the first copy (late or not) so that later copies are recognised. */
    private boolean isDuplicate(String userId, Event e) {
        Bytes key = StoreKeys.dedup(userId, e.eventId());
        Long firstTs = dedup.get(key);
        if (firstTs != null) {
            if (streamTime - firstTs <= dedupWindowMs) {
                return true;
            }
            // Past the window: not a duplicate; this copy becomes the reference (the old entry is expiring).
            dedupExpiry.delete(StoreKeys.timeIndex(firstTs, key.get()));
        }
        dedup.put(key, e.ts());
        dedupExpiry.put(StoreKeys.timeIndex(e.ts(), key.get()), EMPTY);
        nextExpiry = Math.min(nextExpiry, e.ts());
        expiryFloor = Math.min(expiryFloor, e.ts());
        return false;
    }

    private void acceptOrLate(Record<String, Validated.ValidEvent> record, Validated.ValidEvent v) {
        String user = v.userId();
        Event e = v.event();
        UserState state = sessions.get(user);
        FinalContext fin = state == null ? null : state.lastFinal();
        // Ordering at or before the last final event: it would belong to, extend or join final sessions.
        if (fin != null && e.compareTo(fin.lastTs(), fin.lastEventId()) <= 0) {
            late(record, v);
            return;
        }
        List<Event> buffer = state == null ? new ArrayList<>(1) : state.bufferedEvents();
        buffer.add(insertionPoint(buffer, e), e);
        SessionRulesEngine.Split split = SessionRulesEngine.split(buffer, fin, rules);
        if (!split.joinsFinal().isEmpty()) {
            // It would extend the last final session after its end.
            late(record, v);
            return;
        }
        List<Event> own = sessionOf(split.sessions(), e);
        if (rules.finalAt(own.get(own.size() - 1).ts()) <= streamTime) {
            // It would form (or be part of) a session that is already final on arrival.
            late(record, v);
            return;
        }
        metrics.accepted.increment();
        settleUser(user, split.sessions(), fin, state);
    }

    private void late(Record<String, Validated.ValidEvent> record, Validated.ValidEvent v) {
        metrics.late.increment();
        context.forward(new Record<>(v.userId(), Output.late(v.raw()), record.timestamp(), record.headers()));
    }

    /**
     * Emits the user's sessions that are final at the current stream time, then stores what is left (or deletes
     * the user's state once nothing is open and the final context has expired) and re-indexes the user.
     */
    private void settleUser(String user, List<List<Event>> open, FinalContext fin, UserState old) {
        List<List<Event>> remaining = new ArrayList<>(open);
        while (!remaining.isEmpty() && rules.finalAt(lastTs(remaining.get(0))) <= streamTime) {
            List<Event> session = remaining.remove(0);
            emit(user, session);
            fin = FinalContext.of(session);
        }
        long due;
        if (!remaining.isEmpty()) {
            due = rules.finalAt(lastTs(remaining.get(0)));
        } else if (fin != null) {
            due = saturatedAdd(fin.lastTs(), contextRetentionMs);
        } else {
            due = NONE;
        }
        boolean keep = due != NONE && due > streamTime;
        if (old != null && (!keep || old.indexedDue() != due)) {
            closeIndex.delete(StoreKeys.timeIndex(old.indexedDue(), user));
        }
        if (keep) {
            if (old == null || old.indexedDue() != due) {
                closeIndex.put(StoreKeys.timeIndex(due, user), EMPTY);
                nextDue = Math.min(nextDue, due);
                dueFloor = Math.min(dueFloor, due);
            }
            sessions.put(user, new UserState(remaining, fin, due));
        } else if (old != null) {
            sessions.delete(user);
        }
        metrics.openSessionsDelta(task, remaining.size() - (old == null ? 0 : old.open().size()));
    }

    private void emit(String user, List<Event> events) {
        long closedAt = context.currentSystemTimeMs();
        Session session = SessionSummarizer.summarize(user, events, enrichment.profile(user), enrichment::page,
                closedAt);
        // The record timestamp is the wall-clock close time: a replay of old data must not produce records
        // that topic retention deletes before the sink reads them.
        context.forward(new Record<>(user, Output.session(sessionSerde.serialize(null, session)), closedAt));
        metrics.emitted.increment();
        metrics.finalizationLag.record(streamTime - rules.finalAt(lastTs(events)));
    }

    /** Finalizes every user whose due time stream time has reached. */
    private void settleDue() {
        while (streamTime != NONE && nextDue <= streamTime) {
            List<Bytes> batch = new ArrayList<>();
            long next = Long.MAX_VALUE;
            try (KeyValueIterator<Bytes, byte[]> it = scan(closeIndex, dueFloor)) {
                while (it.hasNext()) {
                    Bytes key = it.next().key;
                    long due = StoreKeys.time(key);
                    if (due > streamTime || batch.size() >= BATCH) {
                        next = due;
                        break;
                    }
                    batch.add(key);
                }
            }
            nextDue = next;
            // Entries before `next` are handled below; new ones are always due after stream time.
            dueFloor = Math.min(next, streamTime + 1);
            for (Bytes key : batch) {
                String user = StoreKeys.suffixString(key);
                UserState s = sessions.get(user);
                if (s == null || s.indexedDue() != StoreKeys.time(key)) {
                    closeIndex.delete(key); // stale entry (cannot happen unless state was edited by hand)
                    continue;
                }
                settleUser(user, s.open(), s.lastFinal(), s);
            }
        }
    }

    /** Forgets first copies whose dedup window stream time has passed. */
    private void expireDedup() {
        if (streamTime == NONE) {
            return;
        }
        long limit = streamTime - dedupWindowMs; // ts < limit: streamTime - ts > window
        while (nextExpiry < limit) {
            List<KeyValue<Bytes, Long>> batch = new ArrayList<>();
            long next = Long.MAX_VALUE;
            try (KeyValueIterator<Bytes, byte[]> it = scan(dedupExpiry, expiryFloor)) {
                while (it.hasNext()) {
                    Bytes key = it.next().key;
                    long ts = StoreKeys.time(key);
                    if (ts >= limit || batch.size() >= BATCH) {
                        next = ts;
                        break;
                    }
                    batch.add(KeyValue.pair(key, ts));
                }
            }
            nextExpiry = next;
            expiryFloor = Math.min(next, limit);
            for (KeyValue<Bytes, Long> kv : batch) {
                Bytes dedupKey = Bytes.wrap(StoreKeys.suffix(kv.key));
                Long first = dedup.get(dedupKey);
                if (first != null && first.longValue() == kv.value) {
                    dedup.delete(dedupKey);
                }
                dedupExpiry.delete(kv.key);
            }
        }
    }

    /** Entries of a time index from {@code floor} on, in time order. */
    private static KeyValueIterator<Bytes, byte[]> scan(KeyValueStore<Bytes, byte[]> index, long floor) {
        return index.range(StoreKeys.timeIndex(floor, StoreKeys.NO_SUFFIX), StoreKeys.timeIndex(Long.MAX_VALUE,
                StoreKeys.NO_SUFFIX));
    }

    private static long firstTime(KeyValueStore<Bytes, byte[]> index) {
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            return it.hasNext() ? StoreKeys.time(it.next().key) : Long.MAX_VALUE;
        }
    }

    private static int insertionPoint(List<Event> sorted, Event e) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Event.ORDER.compare(sorted.get(mid), e) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
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

    private static long lastTs(List<Event> session) {
        return session.get(session.size() - 1).ts();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
