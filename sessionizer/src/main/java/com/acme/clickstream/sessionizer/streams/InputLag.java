package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.common.TopicPartition;

import java.util.OptionalLong;

/**
 * How many records appended to an input partition this instance has not consumed yet (its consumer lag), as far
 * as it knows. The idle rule of the contract needs it: a partition is idle only once everything appended to it has
 * been processed, which the processor cannot see by itself (a backlog that is not being processed looks just like
 * silence). Called on the stream thread from wall-clock punctuations, so it must be cheap and must not block.
 */
@FunctionalInterface
public interface InputLag {

    /** Lag of nothing known: idleness is judged from processed records alone (as without this interface). */
    InputLag UNKNOWN = partition -> OptionalLong.empty();

    /**
     * @return the records of {@code partition} not yet consumed ({@code 0}: caught up), or empty when unknown
     *         (not assigned here, or not fetched yet)
     */
    OptionalLong lag(TopicPartition partition);

    /**
     * @return the offset of the last record of {@code partition} fetched for its task since the task started (handed
     *         to Kafka Streams' buffer, processed or not), {@code -1} when none yet, or empty when unknown (the task
     *         is not known here). Next to the offset of the last record processed, it tells whether records wait in
     *         the buffers, which {@link #lag} (last stable offset minus the consumer's position) does not count.
     */
    default OptionalLong lastFetched(TopicPartition partition) {
        return OptionalLong.empty();
    }

    /**
     * @return the offset its task last committed for {@code partition} (the next one to consume: every record before
     *         it is processed, and what the task wrote for them is committed with it), {@code -1} before its first
     *         commit since the task started, or empty when unknown. At or below {@link #lastFetched}, records handed to
     *         the task are not processed and committed yet.
     */
    default OptionalLong lastCommitted(TopicPartition partition) {
        return OptionalLong.empty();
    }

    /**
     * @return milliseconds since the consumer of {@code partition} last received a fetch response, as far as this
     *         instance has seen (it looks when asked, so this can be late by the time between two questions), or
     *         empty when unknown. While the broker is unreachable no response arrives, and {@link #lag} keeps its
     *         last value: a lag of 0 from before an outage says nothing about what producers will send after it.
     */
    default OptionalLong sinceLastFetchResponse(TopicPartition partition) {
        return OptionalLong.empty();
    }
}
