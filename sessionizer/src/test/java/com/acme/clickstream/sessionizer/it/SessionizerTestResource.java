package com.acme.clickstream.sessionizer.it;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real Kafka and PostgreSQL (devstack, one each per test JVM) for the application under test: creates
 * the contract's topics and a database, and points the application at them with migrations at start.
 * The servers stay up for the other test classes and stop when the JVM exits.
 */
public class SessionizerTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(Servers.createTopics(""));
        config.put("quarkus.kafka-streams.bootstrap-servers", Servers.kafka().bootstrapServers());
        config.put("quarkus.kafka-streams.application-id", "sessionizer-it");
        config.put("quarkus.datasource.jdbc.url", Servers.postgres().jdbcUrl(Servers.DATABASE));
        config.put("quarkus.flyway.migrate-at-start", "true");
        config.put("kafka-streams.state.dir", Servers.scratch("streams-state").toString());
        return config;
    }

    @Override
    public void stop() {
        // The shared servers stop at JVM exit (TestServers' shutdown hooks).
    }
}
