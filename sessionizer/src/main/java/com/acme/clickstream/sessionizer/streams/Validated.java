package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.InvalidReason;

/** What the validate processor forwards: a valid event or an invalid record, both with the original bytes. */
sealed interface Validated {

    /** A valid event; {@code raw} are the original value bytes (the late topic gets "the original event"). */
    record ValidEvent(String userId, Event event, byte[] raw) implements Validated {
    }

    record InvalidRecord(byte[] raw, InvalidReason reason, String message) implements Validated {
    }
}
