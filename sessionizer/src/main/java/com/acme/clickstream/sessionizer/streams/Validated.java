package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.InvalidReason;

/**
 * What the validate processor forwards, keyed by what the sessionize step partitions by: a valid event by its user
 * id, a source's mark by the empty string (which is no user id), an invalid record by null; all with the original
 * bytes.
 */
sealed interface Validated {

    /**
     * A valid event; {@code raw} are the original value bytes (the late topic gets "the original event");
     * {@code onItsPartition}: keyed by its user id and on the partition Kafka's default partitioner gives that key,
     * so it may skip the repartition topic (false for a record read back from the repartition topic).
     */
    record ValidEvent(String userId, Event event, byte[] raw, boolean onItsPartition) implements Validated {
    }

    /** {@code key}: the original key bytes, which the DLQ record keeps (the forwarded record is keyed by null). */
    record InvalidRecord(byte[] key, byte[] raw, InvalidReason reason, String message) implements Validated {
    }

    /**
     * A source partition's progress, sent to every partition of the repartition topic behind the re-keyed records
     * it forwarded: {@code source} of {@code sources} partitions of the events topic has processed every record up to
     * record timestamp {@code progress} ({@link Long#MIN_VALUE}: none yet). {@code quiet}: it processed nothing since
     * its last mark and had nothing left to consume, so it holds no partition's finalization back; {@code behind}:
     * it had records to process (a consumer lag above 0, or records fetched and not processed yet), so no partition
     * may count as idle (see {@link SessionizeProcessor});
     * {@code sentAt}: the sender's wall clock, so that a task started after it can tell a mark of an earlier run,
     * read again from the topic after a crash, from a current one.
     */
    record Mark(int source, int sources, long progress, boolean quiet, boolean behind, long sentAt)
            implements Validated {
    }
}
