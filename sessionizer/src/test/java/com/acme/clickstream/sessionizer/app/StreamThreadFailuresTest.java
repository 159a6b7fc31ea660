package com.acme.clickstream.sessionizer.app;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    private final List<Thread> replacedThreads = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StreamThreadFailures failures = new StreamThreadFailures(2, Duration.ofMinutes(10), nanos::get, registry, replacedThreads::add);

    /** What stopped the local stack's client after a broker crash, as Kafka Streams wraps it. */
    private static StreamsException commitFailure() {
        return new StreamsException("Error encountered trying to commit a transaction",
                new InvalidTxnStateException("The producer attempted a transactional operation in an invalid state."));
    }

    private double replacedCount() {
        return registry.get("sessionizer.stream.thread.replacements").counter().count();
    }

    @Test
    void aThreadThatDiesOfAnExceptionIsReplacedUpToTheBudgetThenTheClientStops() {
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        nanos.addAndGet(Duration.ofMinutes(5).toNanos() - 1);
        assertThat(failures.handle(commitFailure())).as("a third within 10 minutes").isEqualTo(SHUTDOWN_CLIENT);
        assertThat(replacedCount()).isEqualTo(2.0);
        assertThat(replacedThreads).as("the dying thread, handed on for its group membership").hasSize(2)
                .containsOnly(Thread.currentThread());
    }

    @Test
    void replacementsOlderThanTheWindowNoLongerCount() {
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        assertThat(failures.handle(commitFailure())).isEqualTo(REPLACE_THREAD);
        assertThat(failures.handle(commitFailure())).as("the third within the window that ends now").isEqualTo(SHUTDOWN_CLIENT);
        assertThat(replacedCount()).isEqualTo(4.0);
    }

    @Test
    void aJvmErrorStopsTheClientAtOnce() {
        assertThat(failures.handle(new OutOfMemoryError("Java heap space"))).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(replacedCount()).isZero();
        assertThat(replacedThreads).isEmpty();
    }

    @Test
    void aBudgetOfZeroStopsTheClientAtTheFirstFailure() {
        StreamThreadFailures none = new StreamThreadFailures(0, Duration.ofMinutes(10), nanos::get, new SimpleMeterRegistry(),
                replacedThreads::add);
        assertThat(none.handle(commitFailure())).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void theGroupInstanceIdOfAThreadIsTheOneKafkaStreamsGivesItsConsumer() {
        java.util.Map<String, Object> props = new java.util.HashMap<>();
        props.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "clickstream-sessionizer");
        props.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        org.apache.kafka.streams.StreamsConfig dynamic = new org.apache.kafka.streams.StreamsConfig(props);
        props.put("group.instance.id", "sessionizer-0");
        org.apache.kafka.streams.StreamsConfig fixed = new org.apache.kafka.streams.StreamsConfig(props);

        assertThat(StaticMemberRemoval.groupInstanceId(fixed, "clickstream-sessionizer-4f1c-StreamThread-2")).isEqualTo("sessionizer-0-2");
        assertThat(StaticMemberRemoval.groupInstanceId(dynamic, "clickstream-sessionizer-4f1c-StreamThread-2")).isNull();
        assertThat(StaticMemberRemoval.groupInstanceId(fixed, "clickstream-sessionizer-4f1c-GlobalStreamThread")).isNull();
    }
}
