package com.acme.clickstream.sessionizer.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.kafka.streams.KafkaStreams.State.CREATED;
import static org.apache.kafka.streams.KafkaStreams.State.ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.NOT_RUNNING;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_ERROR;
import static org.apache.kafka.streams.KafkaStreams.State.PENDING_SHUTDOWN;
import static org.apache.kafka.streams.KafkaStreams.State.REBALANCING;
import static org.apache.kafka.streams.KafkaStreams.State.RUNNING;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class StreamsReadinessTest {
    private static final long S = 1_000_000_000L;
    private final StreamsReadiness r = new StreamsReadiness(Duration.ofMinutes(2));

    @Test
    void notReadyUntilTheFirstRunningSinceTheStoresAreStillRestoring() {
        assertThat(r.check(CREATED, 0).ready()).isFalse();
        r.observe(REBALANCING, 1 * S);
        assertThat(r.check(REBALANCING, 2 * S).ready()).isFalse();
        assertThat(r.check(REBALANCING, 60 * S).ready()).isFalse();
        assertThat(r.check(RUNNING, 61 * S).ready()).isTrue();
    }

    @Test
    void aRebalanceAfterRunningKeepsTheInstanceReadyWithinTheTolerance() {
        r.observe(RUNNING, 0);
        r.observe(REBALANCING, 10 * S);
        StreamsReadiness.Verdict v = r.check(REBALANCING, 40 * S);
        assertThat(v.ready()).isTrue();
        assertThat(v.rebalancingFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.check(REBALANCING, 130 * S).ready()).isTrue();
        assertThat(r.check(REBALANCING, 131 * S).ready()).as("a rebalance longer than the tolerance").isFalse();
        assertThat(r.check(RUNNING, 132 * S).ready()).isTrue();
    }

    @Test
    void everyRebalanceGetsTheWholeToleranceAgain() {
        r.observe(RUNNING, 0);
        for (long t = 0; t < 3600; t += 100) {
            r.observe(REBALANCING, t * S);
            assertThat(r.check(REBALANCING, (t + 90) * S).ready()).as("at " + t).isTrue();
            r.observe(RUNNING, (t + 95) * S);
        }
    }

    @Test
    void aRebalanceSeenOnlyByTheProbesIsDatedFromTheFirstProbeThatSawIt() {
        assertThat(r.check(RUNNING, 0).ready()).isTrue();
        assertThat(r.check(REBALANCING, 5 * S).ready()).isTrue();
        assertThat(r.check(REBALANCING, 125 * S).ready()).isTrue();
        assertThat(r.check(REBALANCING, 126 * S).ready()).isFalse();
    }

    @Test
    void shutdownAndErrorsAreNeverReadyAndStartOver() {
        r.observe(RUNNING, 0);
        for (var s : new org.apache.kafka.streams.KafkaStreams.State[] {PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR}) {
            assertThat(r.check(s, S).ready()).as(s.name()).isFalse();
        }
        assertThat(r.check(REBALANCING, 2 * S).ready()).as("restoring again after an error").isFalse();
    }
}
