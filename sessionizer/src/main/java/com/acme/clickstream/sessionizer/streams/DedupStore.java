package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dedup store: first copies by (user_id, event_id) → ts, in a local RocksDB store, whose changelog carries them
 * in batches: one record per commit (or per {@link #BATCH_BYTES}) instead of one per event.
 *
 * <p>A put of a first copy goes to the local store and into the pending batch; Kafka Streams' flush of the record
 * caches, which it runs in every commit before the offsets (with exactly_once_v2: inside the transaction that commits
 * them), writes the pending batch as one changelog record, keyed by a batch number. The restore callback, which Kafka
 * Streams runs for the store's changelog when it restores the task and on every standby, expands each batch into
 * the local entries again: the store is exactly as fault-tolerant as a changelogged store (Kafka Streams' own
 * checkpoints decide what is replayed), standbys keep it warm, and no copy of the batches is kept on disk. Deletes
 * by the processor's sweep are local only (an entry whose window has passed is inert); a batch goes by one
 * tombstone once every entry of it is past the window ({@link #expire}), and a standby that reads the tombstone
 * deletes what is behind it too.
 *
 * <p>Writing changelog records without Kafka Streams' changelogging layer (which would log every put) uses
 * {@link InternalProcessorContext#logChange}, and the flush moment comes through {@link CachedStateStore}, both
 * internal to Kafka Streams, as for the sessions store ({@link HeaderStore}); {@code ExactlyOnceIT} (a kill mid
 * transaction, then every session exact) and {@code DedupStoreIT} (a restore, a standby) guard them on an upgrade.
 *
 * <p>Local keys: a dedup key (its first byte 0: {@link StoreKeys#dedup} starts with the user id's length), or
 * {@link #HEAD} and a batch number for each batch not yet expired (value: its largest ts). Changelog keys:
 * {@link #BATCH} and the batch number.
 */
final class DedupStore implements KeyValueStore<Bytes, byte[]>, CachedStateStore<Bytes, byte[]> {

    /** A batch is written once it reaches this size, well below Kafka's default maximum record size of 1 MiB. */
    static final int BATCH_BYTES = 128 * 1024;
    static final byte BATCH = (byte) 0xFE;
    static final byte HEAD = (byte) 0xFF;
    /** The largest dedup key (inclusive bound of range scans over the entries alone). */
    static final Bytes ENTRIES_END = Bytes.wrap(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
    private static final Bytes HEADS_START = Bytes.wrap(new byte[] {HEAD});
    private static final Bytes HEADS_END = Bytes.wrap(new byte[] {HEAD, -1, -1, -1, -1, -1, -1, -1, -1});
    private static final int VERSION = 1;
    private static final long NONE = Long.MIN_VALUE;

    private final KeyValueStore<Bytes, byte[]> local;
    private final boolean logged;
    private InternalProcessorContext<?, ?> internal;
    /** What a context without a record collector (a unit test's mock context) would have sent to the changelog. */
    final List<KeyValue<Bytes, byte[]>> unsent = new ArrayList<>();

    private final Bin.Out pending = new Bin.Out(4096);
    private long pendingMaxTs;
    private int pendingEntries;
    private long lastBatch;
    private boolean lastBatchKnown;
    /** Restore: entries below this ts are past the window (an expired batch's largest ts + 1). */
    private long restoredLimit = NONE;
    private Bytes restoreSweepCursor;

    DedupStore(KeyValueStore<Bytes, byte[]> local, boolean logged) {
        this.local = local;
        this.logged = logged;
        clearPending();
    }

    /** The store as the topology declares it: RocksDB, its changelog carrying batches, no record cache. */
    static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(String name) {
        return builder(Stores.persistentKeyValueStore(name));
    }

    /** Over other bytes stores: in-memory ones for unit tests. */
    static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(KeyValueBytesStoreSupplier supplier) {
        return new StoreBuilder<>() {
            private boolean logging = true;
            private Map<String, String> logConfig = new HashMap<>();

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
                throw new UnsupportedOperationException("the dedup store batches its changelog by itself");
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> config) {
                logging = true;
                logConfig = new HashMap<>(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
                logging = false;
                return this;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> build() {
                return new DedupStore(supplier.get(), logging);
            }

            @Override
            public Map<String, String> logConfig() {
                return logConfig;
            }

            @Override
            public boolean loggingEnabled() {
                return logging;
            }

            @Override
            public String name() {
                return supplier.name();
            }
        };
    }

    /**
     * Deletes the batches at the head whose largest ts is below {@code limit} (one changelog tombstone each).
     * {@code store} is what the processor context hands out, a decorator around this store; the call travels
     * through the public {@link StateStore#query} that decorators pass on, as a query type only this package builds.
     */
    static void expire(StateStore store, long limit) {
        QueryResult<Void> r = store.query(new Expire(limit), PositionBound.unbounded(), new QueryConfig(false));
        if (!r.isSuccess()) {
            throw new IllegalStateException("the dedup store must be built by DedupStore.builder(): "
                    + r.getFailureMessage());
        }
    }

    private record Expire(long limit) implements Query<Void> {
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        this.internal = context instanceof InternalProcessorContext<?, ?> i ? i : null;
        lastBatchKnown = false;
        clearPending();
        // The local store registers itself for restoration; it is registered with this store's callback instead,
        // which expands batches rather than putting them as they are.
        local.init(new RegisterAs(context, new Restore()), root);
    }

    /** Every first copy that is put goes into the pending batch. */
    @Override
    public void put(Bytes key, byte[] value) {
        local.put(key, value);
        if (value != null && key.get().length > 0 && key.get()[0] == 0) {
            byte[] k = key.get();
            pending.varint(k.length);
            pending.bytes(k);
            pending.bytes(value);
            pendingEntries++;
            pendingMaxTs = Math.max(pendingMaxTs, ByteBuffer.wrap(value).getLong());
            if (pending.size() >= BATCH_BYTES) {
                writeBatch();
            }
        }
    }

    /** Called by Kafka Streams in every commit, before the offsets: the pending batch goes out. */
    @Override
    public void flushCache() {
        writeBatch();
    }

    /** Called by Kafka Streams when a task's uncommitted state is thrown away (and wiped, under exactly-once). */
    @Override
    public void clearCache() {
        clearPending();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    private void writeBatch() {
        if (pendingEntries == 0) {
            return;
        }
        byte[] batch = pending.toArray();
        ByteBuffer.wrap(batch, 1, 8).putLong(pendingMaxTs);
        long seq = nextBatch();
        local.put(head(seq), ByteBuffer.allocate(8).putLong(pendingMaxTs).array());
        log(batchKey(seq), batch);
        clearPending();
    }

    private long nextBatch() {
        if (!lastBatchKnown) {
            lastBatch = -1;
            try (KeyValueIterator<Bytes, byte[]> it = local.reverseRange(HEADS_START, HEADS_END)) {
                if (it.hasNext()) {
                    lastBatch = ByteBuffer.wrap(it.next().key.get(), 1, 8).getLong();
                }
            }
            lastBatchKnown = true;
        }
        return ++lastBatch;
    }

    private void log(Bytes key, byte[] value) {
        if (!logged) {
            return;
        }
        if (internal == null) {
            unsent.add(KeyValue.pair(key, value));
            return;
        }
        long timestamp = internal.recordContext() != null ? internal.recordContext().timestamp()
                : System.currentTimeMillis();
        internal.logChange(name(), key, value, timestamp, Position.emptyPosition());
    }

    private void clearPending() {
        pending.reset();
        pending.b(VERSION);
        pending.i64(0); // the largest ts, set when written
        pendingEntries = 0;
        pendingMaxTs = NONE;
    }

    private static Bytes head(long seq) {
        return Bytes.wrap(ByteBuffer.allocate(9).put(HEAD).putLong(seq).array());
    }

    private static Bytes batchKey(long seq) {
        return Bytes.wrap(ByteBuffer.allocate(9).put(BATCH).putLong(seq).array());
    }

    private void expireBatches(long limit) {
        List<Bytes> gone = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = local.range(HEADS_START, HEADS_END)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (ByteBuffer.wrap(kv.value).getLong() >= limit) {
                    break;
                }
                gone.add(kv.key);
            }
        }
        for (Bytes h : gone) {
            local.put(h, null);
            log(batchKey(ByteBuffer.wrap(h.get(), 1, 8).getLong()), null);
        }
    }

    /**
     * Deletes the entries (not the batch heads) of {@code store} whose ts is below {@code limit}, visiting at most
     * {@code budget} from {@code cursor} on; returns where the next step starts (null: from the first entry). Deletes
     * are local: {@code store} is this store or a decorator of it, and only batches are logged.
     */
    static Bytes sweep(KeyValueStore<Bytes, byte[]> store, Bytes cursor, long limit, int budget) {
        int seen = 0;
        try (KeyValueIterator<Bytes, byte[]> it = store.range(cursor, ENTRIES_END)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (seen++ >= budget) {
                    return kv.key;
                }
                if (ByteBuffer.wrap(kv.value).getLong() < limit) {
                    store.put(kv.key, null);
                }
            }
        }
        return null;
    }

    /** What Kafka Streams' restoration calls with the store's changelog records (for tests of it). */
    void restore(Collection<KeyValue<byte[], byte[]>> records) {
        new Restore().restoreAll(records);
    }

    /** Expands batches into entries; a tombstone drops its batch's head and what is past the window with it. */
    private final class Restore implements BatchingStateRestoreCallback {
        @Override
        public void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
            List<KeyValue<Bytes, byte[]>> puts = new ArrayList<>();
            int restored = 0;
            for (KeyValue<byte[], byte[]> r : records) {
                if (r.key.length != 9 || r.key[0] != BATCH) {
                    continue; // not written by this store
                }
                long seq = ByteBuffer.wrap(r.key, 1, 8).getLong();
                Bytes head = head(seq);
                if (r.value == null) {
                    byte[] maxTs = local.get(head);
                    if (maxTs != null) {
                        restoredLimit = Math.max(restoredLimit, ByteBuffer.wrap(maxTs).getLong() + 1);
                        local.put(head, null);
                    }
                    continue;
                }
                Bin.In in = new Bin.In(r.value, 0);
                in.b(); // version
                long maxTs = in.i64();
                while (in.remaining() > 0) {
                    Bytes key = Bytes.wrap(in.bytes(in.varint()));
                    puts.add(KeyValue.pair(key, in.bytes(8)));
                }
                puts.add(KeyValue.pair(head, ByteBuffer.allocate(8).putLong(maxTs).array()));
                restored += puts.size();
                local.putAll(puts); // in the order written: a later first copy replaces an expired one
                puts.clear();
            }
            lastBatchKnown = false;
            if (restoredLimit != NONE) {
                // On a standby nothing else deletes: entries go here at about the rate they come.
                restoreSweepCursor = sweep(local, restoreSweepCursor, restoredLimit, 2 * restored + 1024);
            }
        }
    }

    /** The context, with the local store registered under this store's restore callback. */
    private record RegisterAs(StateStoreContext context, StateRestoreCallback callback) implements StateStoreContext {
        @Override
        public String applicationId() {
            return context.applicationId();
        }

        @Override
        public TaskId taskId() {
            return context.taskId();
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return context.recordMetadata();
        }

        @Override
        public org.apache.kafka.common.serialization.Serde<?> keySerde() {
            return Serdes.Bytes();
        }

        @Override
        public org.apache.kafka.common.serialization.Serde<?> valueSerde() {
            return Serdes.ByteArray();
        }

        @Override
        public File stateDir() {
            return context.stateDir();
        }

        @Override
        public StreamsMetrics metrics() {
            return context.metrics();
        }

        @Override
        public void register(StateStore store, StateRestoreCallback ignored) {
            context.register(store, callback);
        }

        @Override
        public void register(StateStore store, StateRestoreCallback ignored, CommitCallback checkpoint) {
            context.register(store, callback, checkpoint);
        }

        @Override
        public Map<String, Object> appConfigs() {
            return context.appConfigs();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return context.appConfigsWithPrefix(prefix);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        if (query instanceof Expire e) {
            expireBatches(e.limit());
            return (QueryResult<R>) QueryResult.forResult(null);
        }
        return local.query(query, positionBound, config);
    }

    @Override
    public byte[] get(Bytes key) {
        return local.get(key);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        throw new UnsupportedOperationException("put() only: every first copy must reach the pending batch");
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> kv : entries) {
            put(kv.key, kv.value);
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = local.get(key);
        local.put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return local.range(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return local.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return local.all();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return local.reverseAll();
    }

    @Override
    public long approximateNumEntries() {
        return local.approximateNumEntries();
    }

    @Override
    public void flush() {
        local.flush();
    }

    @Override
    public void close() {
        local.close();
    }

    @Override
    public String name() {
        return local.name();
    }

    @Override
    public boolean persistent() {
        return local.persistent();
    }

    @Override
    public boolean isOpen() {
        return local.isOpen();
    }

    @Override
    public Position getPosition() {
        return local.getPosition();
    }
}
