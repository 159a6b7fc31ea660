package com.acme.clickstream.flink.source;

import com.acme.clickstream.flink.model.RawSessionRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Passes each Kafka record on as bytes with its coordinates: nothing a producer writes can fail the source. */
public final class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawSessionRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawSessionRecord> out) {
        out.collect(new RawSessionRecord(record.topic(), record.partition(), record.offset(),
                record.timestamp() >= 0 ? record.timestamp() : -1, record.key(), record.value()));
    }

    @Override
    public TypeInformation<RawSessionRecord> getProducedType() {
        return TypeInformation.of(RawSessionRecord.class);
    }
}
