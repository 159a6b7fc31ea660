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

import java.util.List;
import java.util.Map;

/**
 * The sessions store: a persistent, changelogged, uncached key-value store of {@link UserHeader}s with one hook,
 * {@link #beforeFlush}, run when Kafka Streams flushes the store, which it does before every commit (with
 * exactly_once_v2: before the transaction that commits the input offsets) and before a task is suspended.
 *
 * <p>The sessionize processor keeps the headers it changed since the last commit in memory and writes each of them
 * once, from that hook: the changelog records are sent inside the committing transaction, exactly as Kafka
 * Streams' own record cache does, but without serializing a header on every event and without the cache's sorted
 * map of byte keys (a fifth of the stream thread's time when headers went through it). Interactive queries read
 * this store, so open sessions are served as of the last commit (at most {@code commit.interval.ms} old).
 */
final class HeaderStore implements KeyValueStore<String, UserHeader> {

    private final KeyValueStore<String, UserHeader> inner;
    private Runnable beforeFlush;

    private HeaderStore(KeyValueStore<String, UserHeader> inner) {
        this.inner = inner;
    }

    /** The store as the topology declares it: RocksDB, changelogged, no record cache. */
    static StoreBuilder<KeyValueStore<String, UserHeader>> builder(String name) {
        return builder(Stores.persistentKeyValueStore(name));
    }

    /** Over other bytes stores: in-memory ones for unit tests. */
    static StoreBuilder<KeyValueStore<String, UserHeader>> builder(KeyValueBytesStoreSupplier supplier) {
        StoreBuilder<KeyValueStore<String, UserHeader>> inner = Stores.keyValueStoreBuilder(
                supplier, Serdes.String(), new UserHeaderSerde()).withCachingDisabled();
        return new StoreBuilder<>() {
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
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<String, UserHeader>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<String, UserHeader> build() {
                return new HeaderStore(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    /**
     * Sets the processor's write-behind, run on the stream thread at every flush (null removes it). {@code store}
     * is what the processor context hands out, a decorator around this store; the hook travels through the
     * public {@link StateStore#query} that decorators pass on, as a query type only this package can build.
     */
    static void beforeFlush(StateStore store, Runnable hook) {
        QueryResult<Void> r = store.query(new SetFlushHook(hook), PositionBound.unbounded(), new QueryConfig(false));
        if (!r.isSuccess()) {
            throw new IllegalStateException("the sessions store must be built by HeaderStore.builder(): "
                    + r.getFailureMessage());
        }
    }

    private record SetFlushHook(Runnable hook) implements Query<Void> {
    }

    @Override
    public void flush() {
        Runnable hook = beforeFlush;
        if (hook != null) {
            hook.run();
        }
        inner.flush();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void close() {
        beforeFlush = null;
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
