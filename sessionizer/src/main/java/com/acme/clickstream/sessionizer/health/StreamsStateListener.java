package com.acme.clickstream.sessionizer.health;

import jakarta.enterprise.context.ApplicationScoped;

import com.acme.clickstream.sessionizer.config.HealthConfig;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The state listener Quarkus sets on the Kafka Streams client (a bean of this type is picked up): it dates every
 * entry into REBALANCING for the readiness check, which on its own would only see the states at its probes.
 */
@ApplicationScoped
public class StreamsStateListener implements KafkaStreams.StateListener {
    private final StreamsReadiness readiness;

    StreamsStateListener(HealthConfig config) {
        this.readiness = new StreamsReadiness(config.rebalanceTolerance());
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        readiness.observe(newState, System.nanoTime());
    }

    StreamsReadiness readiness() {
        return readiness;
    }
}
