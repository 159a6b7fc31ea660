package com.acme.clickstream.sessionizer.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A partition's stream time as of each record timestamp that not every source partition has confirmed yet: for a
 * record timestamp T, the largest event {@code ts} of the records processed on the partition whose record timestamp
 * is at most T. Kept as a staircase (record timestamps ascending, stream times strictly ascending): a query is a
 * binary search, an insert in record-timestamp order an append, and an entry goes as soon as the watermark of all
 * sources passes it ({@link #foldUpTo}).
 *
 * <p>Why: a record re-keyed through the repartition topic reaches its user's partition later than the records
 * keyed directly to it, by as much as a whole backlog when one is drained. Judged against the stream time the
 * partition has reached by then, it would be too late where live processing (which sees records about in the order
 * they were written, as the record timestamps say) would accept it. With this ledger it is judged against the
 * stream time as of its own record timestamp.
 */
final class StreamTimeLedger {

    /** Entries beyond this are folded: a bound on memory and on the size of the committed value. */
    static final int MAX_ENTRIES = 1 << 18;
    private static final long NONE = Long.MIN_VALUE;
    private static final byte FORMAT = 1;

    private long[] recordTs = new long[64];
    private long[] maxTs = new long[64];
    private int size;
    /**
     * Reused by {@link #toBytes}, which runs every commit while entries wait: only the value itself is new. Up to
     * {@link #SCRATCH_MAX} per task, so that one long wait does not leave a large buffer behind.
     */
    private ByteBuffer scratch;
    private static final int SCRATCH_MAX = 256 * 1024;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** Largest event ts of all entries (NONE when empty). */
    long max() {
        return size == 0 ? NONE : maxTs[size - 1];
    }

    /** Records an event {@code ts} processed with record timestamp {@code t}. */
    void add(long t, long ts) {
        int k = lowerBound(t);
        if (k > 0 && maxTs[k - 1] >= ts) {
            return; // the staircase already gives at least ts from t on
        }
        if (k < size && recordTs[k] == t) {
            if (maxTs[k] >= ts) {
                return;
            }
            maxTs[k] = ts;
        } else {
            insert(k, t, ts);
        }
        dropCoveredAfter(k);
    }

    /** The largest event ts among entries with record timestamp at most {@code t} (NONE: none). */
    long upTo(long t) {
        int k = t == Long.MAX_VALUE ? size : lowerBound(t + 1); // first entry with recordTs > t
        return k == 0 ? NONE : maxTs[k - 1];
    }

    /**
     * Removes the entries with record timestamp at most {@code watermark} and returns the largest event ts among
     * them (NONE: none). Also folds the oldest entries beyond {@link #MAX_ENTRIES}.
     */
    long foldUpTo(long watermark) {
        int k = watermark == Long.MAX_VALUE ? size : lowerBound(watermark + 1); // entries up to the watermark
        k = Math.max(k, size - MAX_ENTRIES);
        if (k <= 0) {
            return NONE;
        }
        long folded = maxTs[k - 1];
        System.arraycopy(recordTs, k, recordTs, 0, size - k);
        System.arraycopy(maxTs, k, maxTs, 0, size - k);
        size -= k;
        return folded;
    }

    /**
     * Committed once per commit while records wait for confirmation, so compact: each entry as the zigzag varint
     * deltas of its record timestamp and stream time to the previous entry's (a few bytes, not sixteen).
     */
    byte[] toBytes() {
        int bound = 1 + 10 + 20 * size;
        ByteBuffer b;
        if (bound > SCRATCH_MAX) {
            b = ByteBuffer.allocate(bound); // rare (a long wait for a source): not kept
        } else {
            if (scratch == null || scratch.capacity() < bound) {
                scratch = ByteBuffer.allocate(Math.min(SCRATCH_MAX, Math.max(bound, 2 * (scratch == null ? 0
                        : scratch.capacity()))));
            }
            b = scratch.clear();
        }
        b.put(FORMAT);
        putVarlong(b, size);
        long prevT = 0;
        long prevTs = 0;
        for (int i = 0; i < size; i++) {
            putVarlong(b, zigzag(recordTs[i] - prevT));
            putVarlong(b, zigzag(maxTs[i] - prevTs));
            prevT = recordTs[i];
            prevTs = maxTs[i];
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    static StreamTimeLedger fromBytes(byte[] bytes) {
        StreamTimeLedger l = new StreamTimeLedger();
        if (bytes == null) {
            return l;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != FORMAT) {
            throw new IllegalStateException("unknown stream time ledger format " + bytes[0]);
        }
        int n = (int) getVarlong(b);
        l.ensure(n);
        long t = 0;
        long ts = 0;
        for (int i = 0; i < n; i++) {
            t += unzigzag(getVarlong(b));
            ts += unzigzag(getVarlong(b));
            l.recordTs[i] = t;
            l.maxTs[i] = ts;
        }
        l.size = n;
        return l;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long z) {
        return (z >>> 1) ^ -(z & 1);
    }

    private static void putVarlong(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    private static long getVarlong(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("malformed varint in the stream time ledger");
    }

    /** The staircase stays strictly ascending: entries after k not above entry k's stream time are covered by it. */
    private void dropCoveredAfter(int k) {
        int from = k + 1;
        int to = from;
        while (to < size && maxTs[to] <= maxTs[k]) {
            to++;
        }
        if (to > from) {
            System.arraycopy(recordTs, to, recordTs, from, size - to);
            System.arraycopy(maxTs, to, maxTs, from, size - to);
            size -= to - from;
        }
    }

    private void insert(int k, long t, long ts) {
        ensure(size + 1);
        System.arraycopy(recordTs, k, recordTs, k + 1, size - k);
        System.arraycopy(maxTs, k, maxTs, k + 1, size - k);
        recordTs[k] = t;
        maxTs[k] = ts;
        size++;
    }

    private void ensure(int n) {
        if (n > recordTs.length) {
            int cap = Math.max(n, recordTs.length * 2);
            recordTs = Arrays.copyOf(recordTs, cap);
            maxTs = Arrays.copyOf(maxTs, cap);
        }
    }

    /** First index whose record timestamp is at least t. */
    private int lowerBound(long t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (recordTs[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
