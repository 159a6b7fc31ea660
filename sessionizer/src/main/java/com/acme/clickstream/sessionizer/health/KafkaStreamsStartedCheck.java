package com.acme.clickstream.sessionizer.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Started once Kafka Streams has left CREATED, i.e. its topics were found and it was started.
 * Quarkus' liveness check is DOWN in CREATED (it wants RUNNING or REBALANCING); gating the liveness
 * probe behind this startup check keeps Kubernetes from killing a pod that only waits for its topics,
 * while a pod whose topics never appear is restarted after the startup probe's budget.
 */
@Startup
@ApplicationScoped
public class KafkaStreamsStartedCheck implements HealthCheck {
    private final Instance<KafkaStreams> streams;

    KafkaStreamsStartedCheck(Instance<KafkaStreams> streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams ks = streams.isResolvable() ? streams.get() : null;
        KafkaStreams.State state = ks == null ? null : ks.state();
        return HealthCheckResponse.named("Kafka Streams started")
                .status(state != null && state != KafkaStreams.State.CREATED)
                .withData("state", state == null ? "ABSENT" : state.name())
                .build();
    }
}
