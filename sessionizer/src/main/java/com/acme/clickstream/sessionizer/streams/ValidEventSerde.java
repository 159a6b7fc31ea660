package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.acme.clickstream.sessionizer.model.ValidationResult;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;

/**
 * Serde of the repartition topic: it carries the original event bytes (so the late topic still gets the original
 * event) and re-reads them on the other side. The future-skew rule is not applied again: it was judged when the
 * record was first read. The source partitions' marks share the topic; they start with a NUL byte, which no valid
 * event does (U+0000 is invalid anywhere in an event).
 */
final class ValidEventSerde implements Serde<Validated>, Serializer<Validated>, Deserializer<Validated> {

    private static final byte MARK = 0;
    private static final byte MARK_VERSION = 2;
    private static final int MARK_BYTES = 2 + 4 + 4 + 8 + 1 + 8;

    private static final Logger LOG = Logger.getLogger(ValidEventSerde.class);

    private final EventValidator validator;

    ValidEventSerde(EventValidator validator) {
        this.validator = validator;
    }

    @Override
    public byte[] serialize(String topic, Validated data) {
        if (data instanceof Validated.Mark m) {
            return ByteBuffer.allocate(MARK_BYTES).put(MARK).put(MARK_VERSION).putInt(m.source()).putInt(m.sources())
                    .putLong(m.progress()).put((byte) ((m.quiet() ? 1 : 0) | (m.behind() ? 2 : 0)))
                    .putLong(m.sentAt()).array();
        }
        return data == null ? null : ((Validated.ValidEvent) data).raw();
    }

    @Override
    public Validated deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == MARK_BYTES && data[0] == MARK && data[1] == MARK_VERSION) {
            ByteBuffer b = ByteBuffer.wrap(data, 2, MARK_BYTES - 2);
            int source = b.getInt();
            int sources = b.getInt();
            long progress = b.getLong();
            byte flags = b.get();
            return new Validated.Mark(source, sources, progress, (flags & 1) != 0, (flags & 2) != 0, b.getLong());
        }
        ValidationResult r = validator.validate(data, 0L, false);
        if (r instanceof ValidationResult.Valid v) {
            return new Validated.ValidEvent(v.userId(), v.event(), data, false); // it came re-keyed
        }
        // Only possible if something else wrote to the internal topic; skipped like a null value.
        LOG.warnf("invalid record in repartition topic %s skipped: %s", topic, r);
        return null;
    }

    @Override
    public Serializer<Validated> serializer() {
        return this;
    }

    @Override
    public Deserializer<Validated> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }
}
