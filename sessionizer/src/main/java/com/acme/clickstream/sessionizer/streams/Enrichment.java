package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.PageInfo;
import com.acme.clickstream.sessionizer.model.UserProfile;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads profiles and page info from the global stores. The stores hold the topics' raw bytes (global stores are
 * restored byte-for-byte from their topic, bypassing any processor), so values are parsed here; a malformed
 * value counts as unknown.
 *
 * <p>A processor's instance keeps what it read, parsed, as long as its store has not changed: every session that
 * becomes final reads its user's profile and its landing page, and a RocksDB lookup (a miss included) cost about as
 * much as writing the session's JSON. "Not changed" is the store's update count ({@link LookupUpdates}), read before
 * the store: an update during or after the read changes it, and the next lookup starts from an empty cache. Global
 * stores are written only by {@link LookupStoreUpdater} once the instance runs (their restore runs before any
 * stream thread processes, and Kafka Streams stops the instance instead of restoring a global store again).
 */
final class Enrichment {

    private static final Logger LOG = Logger.getLogger(Enrichment.class);

    private final Lookup<UserProfile> profiles;
    private final Lookup<PageInfo> pages;

    /** Without a cache: each lookup reads the store (interactive queries, which look up once). */
    Enrichment(ReadOnlyKeyValueStore<String, byte[]> profiles, ReadOnlyKeyValueStore<String, byte[]> pages,
               ObjectMapper mapper) {
        this(profiles, pages, mapper, LookupUpdates.NONE, 0);
    }

    /**
     * @param updates    the global stores' update counts, which keep the caches in step with the stores
     * @param maxEntries entries kept per store (a cache that reaches it starts over)
     */
    Enrichment(ReadOnlyKeyValueStore<String, byte[]> profiles, ReadOnlyKeyValueStore<String, byte[]> pages,
               ObjectMapper mapper, LookupUpdates updates, int maxEntries) {
        this.profiles = new Lookup<>(profiles, updates.profiles(), UserProfile.class, mapper, maxEntries);
        this.pages = new Lookup<>(pages, updates.pages(), PageInfo.class, mapper, maxEntries);
    }

    UserProfile profile(String userId) {
        return profiles.get(userId);
    }

    PageInfo page(String path) {
        return pages.get(path);
    }

    /** The update counts of the two global stores, bumped by {@link LookupStoreUpdater} after each write. */
    record LookupUpdates(AtomicLong profiles, AtomicLong pages) {
        /** Counts that never move: for lookups without a cache. */
        static final LookupUpdates NONE = new LookupUpdates(new AtomicLong(), new AtomicLong());

        static LookupUpdates create() {
            return new LookupUpdates(new AtomicLong(), new AtomicLong());
        }
    }

    private static final class Lookup<T> {
        /** A key the store does not hold (or holds malformed): cached too, as most users have no profile. */
        private static final Object UNKNOWN = new Object();

        private final ReadOnlyKeyValueStore<String, byte[]> store;
        private final AtomicLong updates;
        private final Class<T> type;
        private final ObjectMapper mapper;
        private final int maxEntries;
        private final Map<String, Object> cache = new HashMap<>();
        private long cachedAt = -1;

        Lookup(ReadOnlyKeyValueStore<String, byte[]> store, AtomicLong updates, Class<T> type, ObjectMapper mapper,
               int maxEntries) {
            this.store = store;
            this.updates = updates;
            this.type = type;
            this.mapper = mapper;
            this.maxEntries = maxEntries;
        }

        T get(String key) {
            if (store == null) {
                return null;
            }
            if (maxEntries == 0) {
                return read(key);
            }
            long count = updates.get(); // before the read: a write that the read may have missed moves it
            if (count != cachedAt) {
                cache.clear();
                cachedAt = count;
            }
            Object cached = cache.get(key);
            if (cached != null) {
                return cached == UNKNOWN ? null : type.cast(cached);
            }
            T value = read(key);
            if (cache.size() >= maxEntries) {
                cache.clear();
            }
            cache.put(key, value == null ? UNKNOWN : value);
            return value;
        }

        private T read(String key) {
            byte[] raw = store.get(key);
            return raw == null ? null : parse(mapper, raw, type, key);
        }
    }

    /** @return the parsed value, or null (logged) when it is not a JSON object of the expected shape */
    static <T> T parse(ObjectMapper mapper, byte[] raw, Class<T> type, String key) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = mapper.readTree(raw);
            if (node == null || !node.isObject()) {
                LOG.debugf("%s for key '%s' is not a JSON object: treated as unknown", type.getSimpleName(), key);
                return null;
            }
            return mapper.treeToValue(node, type);
        } catch (Exception e) {
            LOG.debugf("malformed %s for key '%s' treated as unknown: %s", type.getSimpleName(), key, e.getMessage());
            return null;
        }
    }
}
