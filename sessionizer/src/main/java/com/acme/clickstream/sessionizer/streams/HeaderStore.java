package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
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

import java.util.List;
import java.util.Map;

/**
 * The sessions store: a persistent, changelogged, uncached key-value store of {@link UserHeader}s with one hook,
 * {@link #beforeFlush}, run when Kafka Streams flushes the record caches of a task's stores, which it does in every
 * commit before the input offsets are committed (with exactly_once_v2: inside the transaction that commits them),
 * and before a task is suspended or closed cleanly.
 *
 * <p>That moment is offered only through {@link CachedStateStore}, the interface of Kafka Streams' own record
 * cache, which is internal: Kafka Streams calls {@code flushCache()} on every store implementing it, while the
 * public {@code flush()} runs only when the task writes its checkpoint, after the commit. Two tests guard the
 * dependency on an upgrade of Kafka Streams: {@code ApiIT} reads open sessions, written by this hook, within seconds
 * (nothing would be visible until a checkpoint), and {@code ExactlyOnceIT} kills the service mid-transaction and
 * checks every session (headers written after the commit would be lost).
 *
 * <p>The sessionize processor keeps the headers it changed since the last commit in memory and writes each of them
 * once, from that hook: the changelog records are sent inside the committing transaction, exactly as Kafka
 * Streams' own record cache does, but without serializing a header on every event and without the cache's sorted
 * map of byte keys (a fifth of the stream thread's time when headers went through it). Interactive queries read
 * this store, so open sessions are served as of the last commit (at most {@code commit.interval.ms} old).
 */
final class HeaderStore implements KeyValueStore<String, UserHeader>, CachedStateStore<String, UserHeader> {

    private final KeyValueStore<String, UserHeader> inner;
    private Runnable beforeFlush;
    private Runnable discard;

    private HeaderStore(KeyValueStore<String, UserHeader> inner) {
        this.inner = inner;
    }

    /** The store as the topology declares it: RocksDB, changelogged, no record cache. */
    static StoreBuilder<KeyValueStore<String, UserHeader>> builder(String name) {
        return builder(Stores.persistentKeyValueStore(name));
    }

    /** Over other bytes stores: in-memory ones for unit tests. */
    static StoreBuilder<KeyValueStore<String, UserHeader>> builder(KeyValueBytesStoreSupplier supplier) {
        return new StoreBuilder<>() {
            private boolean logging = true;
            private Map<String, String> logConfig = Map.of();

            @Override
            public StoreBuilder<KeyValueStore<String, UserHeader>> withCachingEnabled() {
                throw new UnsupportedOperationException("the sessions store writes behind by itself");
            }

            @Override
            public StoreBuilder<KeyValueStore<String, UserHeader>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, UserHeader>> withLoggingEnabled(Map<String, String> config) {
                logging = true;
                logConfig = Map.copyOf(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, UserHeader>> withLoggingDisabled() {
                logging = false;
                logConfig = Map.of();
                return this;
            }

            /**
             * One serde per store, so per task: only the task's stream thread writes headers, so the serde's write
             * buffer is a plain field. A thread-local buffer in one serde shared by all tasks cost up to 6 % of the
             * stream thread in lookups (see the sessionizer README, "Thread-local lookups").
             */
            @Override
            public KeyValueStore<String, UserHeader> build() {
                StoreBuilder<KeyValueStore<String, UserHeader>> inner = Stores.keyValueStoreBuilder(
                        supplier, Serdes.String(), new UserHeaderSerde()).withCachingDisabled();
                return new HeaderStore((logging ? inner.withLoggingEnabled(logConfig) : inner.withLoggingDisabled())
                        .build());
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
     * Sets the processor's write-behind, run on the stream thread at every flush (null removes it). {@code store}
     * is what the processor context hands out, a decorator around this store; the hook travels through the
     * public {@link StateStore#query} that decorators pass on, as a query type only this package can build.
     */
    static void beforeFlush(StateStore store, Runnable hook, Runnable discard) {
        QueryResult<Void> r = store.query(new SetFlushHook(hook, discard), PositionBound.unbounded(),
                new QueryConfig(false));
        if (!r.isSuccess()) {
            throw new IllegalStateException("the sessions store must be built by HeaderStore.builder(): "
                    + r.getFailureMessage());
        }
    }

    private record SetFlushHook(Runnable hook, Runnable discard) implements Query<Void> {
    }

    /** Called by Kafka Streams in every commit, before the offsets: the processor's changed headers go out. */
    @Override
    public void flushCache() {
        Runnable hook = beforeFlush;
        if (hook != null) {
            hook.run();
        }
    }

    /** Called by Kafka Streams when a task's uncommitted state is thrown away: so are the pending headers. */
    @Override
    public void clearCache() {
        Runnable d = discard;
        if (d != null) {
            d.run();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, UserHeader> listener, boolean sendOldValues) {
        return false; // nothing downstream consumes this store's changes
    }

    @Override
    public void flush() {
        flushCache();
        inner.flush();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void close() {
        beforeFlush = null;
        discard = null;
        inner.close();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        if (query instanceof SetFlushHook set) {
            beforeFlush = set.hook();
            discard = set.discard();
            return (QueryResult<R>) QueryResult.forResult(null);
        }
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public void put(String key, UserHeader value) {
        inner.put(key, value);
    }

    @Override
    public UserHeader putIfAbsent(String key, UserHeader value) {
        return inner.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<String, UserHeader>> entries) {
        inner.putAll(entries);
    }

    @Override
    public UserHeader delete(String key) {
        return inner.delete(key);
    }

    @Override
    public UserHeader get(String key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<String, UserHeader> range(String from, String to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<String, UserHeader> reverseRange(String from, String to) {
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, UserHeader> all() {
        return inner.all();
    }

    @Override
    public KeyValueIterator<String, UserHeader> reverseAll() {
        return inner.reverseAll();
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, UserHeader>
            prefixScan(P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }
}
