package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.InvalidReason;

/** What the validate processor forwards: a valid event or an invalid record, both with the original bytes. */
sealed interface Validated {

    /**
     * A valid event; {@code raw} are the original value bytes (the late topic gets "the original event");
     * {@code onItsPartition}: keyed by its user id and on the partition Kafka's default partitioner gives that key,
     * so it may skip the repartition topic.
     */
    record ValidEvent(String userId, Event event, byte[] raw, boolean onItsPartition) implements Validated {
    }

    record InvalidRecord(byte[] raw, InvalidReason reason, String message) implements Validated {
    }
}
