package com.acme.clickstream.flink.model;

/** A valid session and where it came from on Kafka (for the dead-letter row of a duplicate). */
public record ParsedSession(SessionRow session, String topic, int partition, long offset, long timestamp) {}
