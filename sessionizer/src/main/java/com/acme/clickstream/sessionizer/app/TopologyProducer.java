package com.acme.clickstream.sessionizer.app;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.acme.clickstream.sessionizer.config.HeaderCacheConfig;
import com.acme.clickstream.sessionizer.config.SessionRulesConfig;
import com.acme.clickstream.sessionizer.config.TopicsConfig;
import com.acme.clickstream.sessionizer.streams.PartitionCounts;
import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import com.acme.clickstream.sessionizer.streams.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.Topology;

/**
 * The only bridge between Quarkus and the topology: typed configuration (and the consumer lag of the
 * running Kafka Streams, {@link KafkaStreamsInputLag}) in, a Kafka Streams {@link Topology} out.
 * Quarkus' Kafka Streams extension configures, starts and stops it.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @Singleton
    Topics topics(TopicsConfig config) {
        return new Topics(config.events(), config.users(), config.pages(), config.sessions(), config.dlq(),
                config.late());
    }

    @Produces
    @Singleton
    SessionRules sessionRules(SessionRulesConfig config) {
        return new SessionRules(config.inactivityGap(), config.maxDuration(), config.grace(), config.idleAdvanceAfter(),
                config.dedupWindow(), config.maxFutureSkew(), config.splitOnCampaign(), config.dayBoundaryZone());
    }

    @Produces
    @Singleton
    Topology topology(Topics topics, SessionRules rules, MeterRegistry meterRegistry, KafkaStreamsInputLag inputLag,
                      HeaderCacheConfig headerCache) {
        return new SessionizerTopology(topics, rules, meterRegistry, inputLag, PartitionCounts.fromBroker(),
                headerCache.perTask()).build();
    }
}
