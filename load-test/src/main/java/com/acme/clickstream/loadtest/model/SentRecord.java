package com.acme.clickstream.loadtest.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One record as it was (or will be) sent to a topic: one line of events.jsonl, users.jsonl or pages.jsonl.
 * The value is kept as bytes because some malformed records are deliberately not UTF-8.
 *
 * @param key       record key as UTF-8 text; null = no key
 * @param value     record value bytes; null = a null value (tombstone / skipped event)
 * @param partition partition the broker acknowledged, or -1 when not sent (yet)
 * @param offset    offset the broker acknowledged, or -1
 * @param sentAtMs  wall-clock time of the send (ms); the reference validator checks future ts against it
 * @param kind      what the generator meant this record to be (normal, duplicate, late, invalid:..., ...);
 *                  informative only: verify recomputes everything from the contract's rules
 */
public record SentRecord(String key, byte[] value, int partition, long offset, long sentAtMs, String kind) {

    public static SentRecord of(String key, String value, String kind) {
        return new SentRecord(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), -1, -1, 0, kind);
    }

    public SentRecord withDelivery(int partition, long offset, long sentAtMs) {
        return new SentRecord(key, value, partition, offset, sentAtMs, kind);
    }

    public byte[] keyBytes() {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /** The value as text, for logs and diffs (malformed UTF-8 is replaced). */
    public String valueText() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SentRecord r
                && Objects.equals(key, r.key) && Arrays.equals(value, r.value) && partition == r.partition
                && offset == r.offset && sentAtMs == r.sentAtMs && Objects.equals(kind, r.kind);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), partition, offset, sentAtMs, kind);
    }

    @Override
    public String toString() {
        return "SentRecord[key=" + key + ", value=" + valueText() + ", partition=" + partition + ", offset=" + offset
                + ", kind=" + kind + "]";
    }
}
