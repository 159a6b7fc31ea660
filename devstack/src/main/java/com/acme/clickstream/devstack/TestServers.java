package com.acme.clickstream.devstack;

import java.nio.file.Path;

/**
 * One Kafka broker and one PostgreSQL server per test JVM, started on first use and stopped when the
 * JVM exits, so that every test class of a module shares them (2 cores: start each server once).
 * Their state lives under {@code java.io.tmpdir}, which the build points into target/.
 */
public final class TestServers {
    private static KafkaBroker kafka;
    private static Postgres postgres;

    private TestServers() {}

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = KafkaBroker.start(scratch("kafka"), 0);
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "stop-test-kafka"));
        }
        return kafka;
    }

    public static synchronized Postgres postgres() {
        if (postgres == null) {
            postgres = Postgres.start(scratch("pg-data"), scratch("pg-work"), 0, 32);
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "stop-test-postgres"));
        }
        return postgres;
    }

    private static Path scratch(String name) {
        return Path.of(System.getProperty("java.io.tmpdir"), "devstack-" + ProcessHandle.current().pid(), name);
    }
}
