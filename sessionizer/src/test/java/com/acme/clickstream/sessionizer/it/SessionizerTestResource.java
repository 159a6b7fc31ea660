package com.acme.clickstream.sessionizer.it;

import java.util.HashMap;
import java.util.Map;

import com.acme.clickstream.devstack.FreePorts;
import com.acme.clickstream.devstack.Postgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real Kafka and PostgreSQL (devstack, one each per test JVM) for the application under test: creates
 * the contract's topics and a database, and points the application at them with migrations at start. As
 * deployed: the API reads as the role clickstream_api, the migrations run as the schema owner (here the
 * superuser; the test server trusts local connections, so the password is not checked but must be set for
 * Quarkus to give Flyway its own connection).
 * The servers stay up for the other test classes and stop when the JVM exits.
 */
public class SessionizerTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile int managementPort;

    /** The port of the application's management interface (health, metrics). */
    static int managementPort() {
        return managementPort;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(Servers.createTopics(""));
        config.put("quarkus.kafka-streams.bootstrap-servers", Servers.kafka().bootstrapServers());
        config.put("quarkus.kafka-streams.application-id", "sessionizer-it");
        config.put("quarkus.datasource.jdbc.url", Servers.jdbcUrlWithoutUser());
        config.put("quarkus.datasource.username", "clickstream_api");
        config.put("quarkus.flyway.migrate-at-start", "true");
        config.put("quarkus.flyway.username", Postgres.USER);
        config.put("quarkus.flyway.password", "trusted-locally");
        // Health and metrics listen on the management interface: a free port, known to the tests.
        managementPort = FreePorts.next();
        config.put("quarkus.management.port", String.valueOf(managementPort));
        config.put("quarkus.management.test-port", String.valueOf(managementPort));
        config.put("kafka-streams.state.dir", Servers.scratch("streams-state").toString());
        return config;
    }

    @Override
    public void stop() {
        // The shared servers stop at JVM exit (TestServers' shutdown hooks).
    }
}
