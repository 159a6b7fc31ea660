package com.acme.clickstream.flink.model;

/**
 * A record of the sessions topic as read, before any parsing: the source never fails on a record's content, the
 * parse step decides what it is. {@code timestamp} is Kafka's record timestamp in epoch ms, or -1.
 */
public record RawSessionRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {

    /** Where the record is on Kafka, for logs and the dead-letter table. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
