package com.acme.clickstream.sessionizer.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while Kafka Streams is RUNNING. Quarkus' own checks cover the rest: readiness that the
 * topics exist, liveness that the state is RUNNING or REBALANCING. During a rebalance or a state
 * restore the open-sessions API cannot answer, so the instance leaves the load balancer until it
 * runs again. PostgreSQL is deliberately not part of readiness (see application.properties).
 */
@Readiness
@ApplicationScoped
public class KafkaStreamsRunningCheck implements HealthCheck {
    private final Instance<KafkaStreams> streams;

    KafkaStreamsRunningCheck(Instance<KafkaStreams> streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams ks = streams.isResolvable() ? streams.get() : null;
        if (ks == null) {
            return HealthCheckResponse.named("Kafka Streams running").down().withData("state", "ABSENT").build();
        }
        KafkaStreams.State state = ks.state();
        return HealthCheckResponse.named("Kafka Streams running")
                .status(state == KafkaStreams.State.RUNNING)
                .withData("state", state.name())
                .build();
    }
}
