package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Binary keys of the local stores, length-prefixed so that one user's keys never run into another's. */
final class StoreKeys {

    private StoreKeys() {
    }

    /** (user_id, event_id), length-prefixed so that no two pairs share a key. */
    static Bytes dedup(String userId, String eventId) {
        byte[] u = userId.getBytes(StandardCharsets.UTF_8);
        byte[] e = eventId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + u.length + e.length).putInt(u.length).put(u).put(e).array());
    }

    /** (user_id, session seq, n): a user's open events, grouped by session, range-scannable per user. */
    static Bytes event(byte[] user, long seq, int n) {
        return Bytes.wrap(ByteBuffer.allocate(4 + user.length + 12).putInt(user.length).put(user).putLong(seq)
                .putInt(n).array());
    }
}
