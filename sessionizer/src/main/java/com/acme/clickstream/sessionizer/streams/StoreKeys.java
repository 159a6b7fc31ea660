package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Binary keys of the local stores. Time-ordered indexes start with the 8-byte big-endian time so that RocksDB's
 * bytewise order is time order (times are >= 0 by validation).
 */
final class StoreKeys {

    static final byte[] NO_SUFFIX = new byte[0];

    private StoreKeys() {
    }

    /** (user_id, event_id), length-prefixed so that no two pairs share a key. */
    static Bytes dedup(String userId, String eventId) {
        byte[] u = userId.getBytes(StandardCharsets.UTF_8);
        byte[] e = eventId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + u.length + e.length).putInt(u.length).put(u).put(e).array());
    }

    static Bytes timeIndex(long time, byte[] suffix) {
        return Bytes.wrap(ByteBuffer.allocate(8 + suffix.length).putLong(time).put(suffix).array());
    }

    static Bytes timeIndex(long time, String suffix) {
        return timeIndex(time, suffix.getBytes(StandardCharsets.UTF_8));
    }

    static long time(Bytes indexKey) {
        return ByteBuffer.wrap(indexKey.get()).getLong();
    }

    static byte[] suffix(Bytes indexKey) {
        byte[] k = indexKey.get();
        byte[] s = new byte[k.length - 8];
        System.arraycopy(k, 8, s, 0, s.length);
        return s;
    }

    static String suffixString(Bytes indexKey) {
        byte[] k = indexKey.get();
        return new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
    }

    /** (user_id, session seq, n): a user's open events, grouped by session, range-scannable per user. */
    static Bytes event(byte[] user, long seq, int n) {
        return Bytes.wrap(ByteBuffer.allocate(4 + user.length + 12).putInt(user.length).put(user).putLong(seq)
                .putInt(n).array());
    }

    static Bytes firstEvent(byte[] user) {
        return event(user, 0, 0);
    }

    static Bytes lastEvent(byte[] user) {
        return event(user, Long.MAX_VALUE, -1);
    }
}
