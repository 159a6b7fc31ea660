package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.acme.clickstream.sessionizer.model.ValidationResult;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/**
 * Serde of the repartition topic: it carries the original event bytes (so the late topic still gets the original
 * event) and re-reads them on the other side. The future-skew rule is not applied again: it was judged when the
 * record was first read.
 */
final class ValidEventSerde implements Serde<Validated.ValidEvent>, Serializer<Validated.ValidEvent>,
        Deserializer<Validated.ValidEvent> {

    private static final Logger LOG = Logger.getLogger(ValidEventSerde.class);

    private final EventValidator validator;

    ValidEventSerde(EventValidator validator) {
        this.validator = validator;
    }

    @Override
    public byte[] serialize(String topic, Validated.ValidEvent data) {
        return data == null ? null : data.raw();
    }

    @Override
    public Validated.ValidEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ValidationResult r = validator.validate(data, 0L, false);
        if (r instanceof ValidationResult.Valid v) {
            return new Validated.ValidEvent(v.userId(), v.event(), data, true);
        }
        // Only possible if something else wrote to the internal topic; skipped like a null value.
        LOG.warnf("invalid record in repartition topic %s skipped: %s", topic, r);
        return null;
    }

    @Override
    public Serializer<Validated.ValidEvent> serializer() {
        return this;
    }

    @Override
    public Deserializer<Validated.ValidEvent> deserializer() {
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
