package com.acme.clickstream.flink.model;

/**
 * A record that did not become a row of {@code sessions}: one row of the dead-letter table (schema V3). {@code value}
 * holds the original bytes for a malformed record and is null for a duplicate (read it from Kafka at the
 * coordinates); {@code sessionId} is null when the record has none.
 */
public record RejectedRecord(
        String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, String sessionId,
        String reason) {

    public static final String MALFORMED = "malformed: ";
    public static final String DUPLICATE = "duplicate: ";

    public static RejectedRecord malformed(RawSessionRecord record, String sessionId, String why) {
        return new RejectedRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), sessionId, MALFORMED + why);
    }

    public static RejectedRecord duplicate(ParsedSession parsed) {
        return new RejectedRecord(parsed.topic(), parsed.partition(), parsed.offset(), parsed.timestamp(), null, null,
                parsed.session().sessionId(), DUPLICATE + "session_id already written by this job");
    }
}
