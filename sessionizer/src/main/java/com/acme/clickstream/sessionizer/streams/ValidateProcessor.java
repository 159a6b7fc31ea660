package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.acme.clickstream.sessionizer.model.InvalidReason;
import com.acme.clickstream.sessionizer.model.ValidationResult;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** Validates raw click events; invalid ones carry the DLQ headers. Never throws on bad input. */
final class ValidateProcessor implements Processor<byte[], byte[], byte[], Validated> {

    static final String H_REASON = "dlq.reason";
    static final String H_REASON_CODE = "dlq.reason.code";
    static final String H_TOPIC = "dlq.source.topic";
    static final String H_PARTITION = "dlq.source.partition";
    static final String H_OFFSET = "dlq.source.offset";

    private static final Logger LOG = Logger.getLogger(ValidateProcessor.class);

    private final EventValidator validator;
    private final SessionizerMetrics metrics;
    private final PartitionCounts partitionCounts;
    private ProcessorContext<byte[], Validated> context;
    /** Of the source topic; learned at the first record (0: not yet). */
    private int sourcePartitions;

    ValidateProcessor(EventValidator validator, SessionizerMetrics metrics, PartitionCounts partitionCounts) {
        this.validator = validator;
        this.metrics = metrics;
        this.partitionCounts = partitionCounts;
    }

    @Override
    public void init(ProcessorContext<byte[], Validated> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            metrics.nullValues.increment();
            return;
        }
        ValidationResult result;
        try {
            result = validator.validate(value, context.currentSystemTimeMs(), true);
        } catch (RuntimeException e) {
            // Defensive: a validator bug must not stop the service; the record is kept in the DLQ.
            LOG.warnf(e, "validation failed unexpectedly");
            result = new ValidationResult.Invalid(InvalidReason.NOT_JSON, "cannot validate: " + e);
        }
        if (result instanceof ValidationResult.Valid v) {
            context.forward(record.withValue(new Validated.ValidEvent(v.userId(), v.event(), value,
                    onItsUsersPartition(record.key(), v.userId()))));
        } else {
            ValidationResult.Invalid inv = (ValidationResult.Invalid) result;
            metrics.invalid(inv.reason());
            // The wall clock as record time: a DLQ record of replayed old data must not be deleted by the topic's
            // retention before anyone reads it.
            context.forward(record.withValue((Validated) new Validated.InvalidRecord(value, inv.reason(), inv.message()))
                    .withHeaders(dlqHeaders(record.headers(), inv)).withTimestamp(context.currentSystemTimeMs()));
        }
    }

    /**
     * Keyed by its user id, and on the partition Kafka's default partitioner gives that key: only then is the record
     * already where its user's events are sessionized. Key equality alone is not enough: a producer with another
     * partitioner, or one choosing partitions itself, puts correctly keyed records elsewhere.
     */
    private boolean onItsUsersPartition(byte[] key, String userId) {
        if (key == null || !Arrays.equals(key, userId.getBytes(StandardCharsets.UTF_8))) {
            return false;
        }
        Optional<RecordMetadata> meta = context.recordMetadata();
        if (meta.isEmpty()) {
            return true;
        }
        if (sourcePartitions == 0) {
            sourcePartitions = partitionCounts.partitions(meta.get().topic(), context.appConfigs());
        }
        // The default partitioner's choice for a keyed record (BuiltInPartitioner.partitionForKey).
        return sourcePartitions == 1 || Utils.toPositive(Utils.murmur2(key)) % sourcePartitions == meta.get().partition();
    }

    private Headers dlqHeaders(Headers original, ValidationResult.Invalid inv) {
        // A copy: the input record's headers object must not be changed.
        Headers h = new RecordHeaders(original.toArray());
        put(h, H_REASON, inv.message());
        put(h, H_REASON_CODE, inv.reason().code());
        Optional<RecordMetadata> meta = context.recordMetadata();
        if (meta.isPresent()) {
            put(h, H_TOPIC, meta.get().topic());
            put(h, H_PARTITION, Integer.toString(meta.get().partition()));
            put(h, H_OFFSET, Long.toString(meta.get().offset()));
        }
        return h;
    }

    private static void put(Headers h, String key, String value) {
        h.remove(key);
        h.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
