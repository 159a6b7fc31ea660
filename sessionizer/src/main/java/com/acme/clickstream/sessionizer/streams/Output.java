package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/** What the sessionize processor forwards: a final session (JSON) or a too-late event (original bytes). */
record Output(Kind kind, byte[] bytes) {

    /** Writes an output as its bytes (the session JSON, the late event's original value); never read back. */
    static final Serde<Output> SERDE = Serdes.serdeFrom((topic, out) -> out == null ? null : out.bytes(),
            (topic, data) -> {
                throw new UnsupportedOperationException("outputs are written, not read");
            });

    /** The topic of an output: sessions or late events. */
    static TopicNameExtractor<String, Output> topic(Topics topics) {
        String sessions = topics.sessions();
        String late = topics.late();
        return (key, out, context) -> out.kind() == Kind.SESSION ? sessions : late;
    }

    enum Kind { SESSION, LATE }

    static Output session(byte[] json) {
        return new Output(Kind.SESSION, json);
    }

    static Output late(byte[] raw) {
        return new Output(Kind.LATE, raw);
    }
}
