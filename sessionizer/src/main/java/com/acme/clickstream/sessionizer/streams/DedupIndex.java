package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;

/**
 * The dedup rule over the task's stores: first copies in the {@link DedupStore} (one changelog record per commit),
 * and, while it has entries left, the one-entry-per-event store of earlier versions.
 *
 * <p>Entries expire by stream time: an entry whose ts is more than the window behind the partition's stream time can
 * never again make a copy a duplicate (every record is judged as of a stream time at least that), so the sweep
 * deletes it locally, and a batch goes by one tombstone once its largest ts has passed so. Batches go in the order
 * they were written, so that a restore, which replays the batches left in that order, ends with the same live
 * entries: a batch with a ts far ahead holds later ones back until it expires, which costs disk, never an outcome.
 */
final class DedupIndex {

    private final KeyValueStore<Bytes, byte[]> ids;
    private final KeyValueStore<Bytes, Long> legacy;
    private final long windowMs;

    /** Whether the store of earlier versions may still hold entries. */
    private boolean legacyLive;
    private boolean opened;
    private Bytes idsCursor;
    private Bytes legacyCursor;
    private boolean legacyKeptAny;

    DedupIndex(KeyValueStore<Bytes, byte[]> ids, KeyValueStore<Bytes, Long> legacy, long windowMs) {
        this.ids = ids;
        this.legacy = legacy;
        this.windowMs = windowMs;
    }

    /** Before the task's first lookup (not in init(), which Kafka Streams runs before the instance may run). */
    void open() {
        if (!opened) {
            opened = true;
            try (KeyValueIterator<Bytes, Long> it = legacy.all()) {
                legacyLive = it.hasNext();
            }
        }
    }

    /** Whether the event is a copy within the window of a first copy; if not, it is recorded as the first copy. */
    boolean isDuplicate(Bytes key, long ts, long asOf) {
        byte[] stored = ids.get(key);
        Long firstTs = stored != null ? Long.valueOf(ByteBuffer.wrap(stored).getLong())
                : legacyLive ? legacy.get(key) : null;
        if (firstTs != null && asOf - firstTs <= windowMs) {
            return true;
        }
        // New, or a copy past the window (a new event, which becomes the reference for later copies).
        ids.put(key, ByteBuffer.allocate(8).putLong(ts).array());
        return false;
    }

    /**
     * Deletes what the window has passed at stream time {@code streamTime}: up to {@code budget} entries from where
     * the last step stopped (and as many of the earlier version's store while it has entries), and the batches at the
     * head whose largest ts has passed.
     */
    void sweep(long streamTime, int budget) {
        long limit = streamTime - windowMs; // ts < limit: streamTime - ts > window
        idsCursor = DedupStore.sweep(ids, idsCursor, limit, budget);
        if (legacyLive) {
            sweepLegacy(limit, budget);
        }
        DedupStore.expire(ids, limit);
    }

    private void sweepLegacy(long limit, int budget) {
        int seen = 0;
        try (KeyValueIterator<Bytes, Long> it = legacy.range(legacyCursor, null)) {
            while (it.hasNext()) {
                KeyValue<Bytes, Long> kv = it.next();
                if (seen++ >= budget) {
                    legacyCursor = kv.key;
                    return;
                }
                if (kv.value < limit) {
                    legacy.put(kv.key, null);
                } else {
                    legacyKeptAny = true;
                }
            }
        }
        legacyCursor = null;
        // A whole pass found nothing to keep: the earlier version's entries are all gone.
        legacyLive = legacyKeptAny;
        legacyKeptAny = false;
    }
}
