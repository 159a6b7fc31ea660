package com.acme.clickstream.sessionizer.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;

/** The shared broker and PostgreSQL of this test JVM, with the contract's topics and a database of ours. */
final class Servers {
    static final String DATABASE = "sessionizer_it";
    static final int EVENT_PARTITIONS = 3;

    private Servers() {}

    static KafkaBroker kafka() {
        return TestServers.kafka();
    }

    static Postgres postgres() {
        Postgres pg = TestServers.postgres();
        pg.createDatabase(DATABASE);
        return pg;
    }

    /** The URL of our database with no user in it: the user is configured on its own. */
    static String jdbcUrlWithoutUser() {
        return "jdbc:postgresql://127.0.0.1:" + postgres().port() + "/" + DATABASE;
    }

    /** The contract's six topics under a prefix ("" = the default names), as the sessionizer expects them. */
    static Map<String, String> createTopics(String prefix) {
        KafkaBroker kafka = kafka();
        Map<String, String> names = topicSettings(prefix);
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        kafka.createTopic(prefix + "clickstream.events", EVENT_PARTITIONS);
        kafka.createTopic(prefix + "clickstream.users", EVENT_PARTITIONS, compacted);
        kafka.createTopic(prefix + "clickstream.pages", EVENT_PARTITIONS, compacted);
        kafka.createTopic(prefix + "clickstream.sessions", EVENT_PARTITIONS);
        kafka.createTopic(prefix + "clickstream.events.dlq", 1);
        kafka.createTopic(prefix + "clickstream.events.late", 1);
        return names;
    }

    /** The settings naming the contract's topics under a prefix. */
    static Map<String, String> topicSettings(String prefix) {
        return Map.of(
                "sessionizer.topics.events", prefix + "clickstream.events",
                "sessionizer.topics.users", prefix + "clickstream.users",
                "sessionizer.topics.pages", prefix + "clickstream.pages",
                "sessionizer.topics.sessions", prefix + "clickstream.sessions",
                "sessionizer.topics.dlq", prefix + "clickstream.events.dlq",
                "sessionizer.topics.late", prefix + "clickstream.events.late");
    }

    /** A fresh directory under target/ (java.io.tmpdir points there in the build). */
    static Path scratch(String name) {
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The topic settings as environment variables (sessionizer.topics.events -> SESSIONIZER_TOPICS_EVENTS). */
    static Map<String, String> asEnv(Map<String, String> topics) {
        Map<String, String> env = new java.util.HashMap<>();
        topics.forEach((k, v) -> env.put(k.toUpperCase().replace('.', '_').replace('-', '_'), v));
        return env;
    }
}
