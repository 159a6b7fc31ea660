package com.acme.clickstream.sessionizer.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once Kafka Streams has been RUNNING, and still ready through a rebalance of up to
 * {@code sessionizer.health.rebalance-tolerance} (see {@link StreamsReadiness}). Every rebalance of the group
 * moves all instances through REBALANCING at the same moment: were readiness RUNNING only, each one would take
 * every replica out of the Service together, although the REST history endpoints do not need Kafka Streams and
 * an open-sessions query during the rebalance gets a 503 with Retry-After anyway. Quarkus' own checks cover the
 * rest: readiness that the topics exist, liveness that the state is RUNNING or REBALANCING. PostgreSQL is
 * deliberately not part of readiness (see application.properties).
 */
@Readiness
@ApplicationScoped
public class KafkaStreamsRunningCheck implements HealthCheck {
    private final Instance<KafkaStreams> streams;
    private final StreamsReadiness readiness;

    KafkaStreamsRunningCheck(Instance<KafkaStreams> streams, StreamsStateListener listener) {
        this.streams = streams;
        this.readiness = listener.readiness();
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams ks = streams.isResolvable() ? streams.get() : null;
        if (ks == null) {
            return HealthCheckResponse.named("Kafka Streams running").down().withData("state", "ABSENT").build();
        }
        StreamsReadiness.Verdict v = readiness.check(ks.state(), System.nanoTime());
        HealthCheckResponseBuilder b = HealthCheckResponse.named("Kafka Streams running")
                .status(v.ready())
                .withData("state", v.state().name());
        if (v.state() == KafkaStreams.State.REBALANCING) {
            b.withData("rebalancingForMs", v.rebalancingFor().toMillis());
        }
        return b.build();
    }
}
