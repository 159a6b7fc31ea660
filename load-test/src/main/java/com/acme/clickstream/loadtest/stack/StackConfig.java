package com.acme.clickstream.loadtest.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.acme.clickstream.loadtest.model.Topics;

/**
 * What the local stack runs and where.
 *
 * @param dataDir         all state: broker log, PostgreSQL data, Kafka Streams state, Flink checkpoints, logs, pid files
 * @param kafkaPort       port of the embedded broker; 0 = the one this data dir used last, else a free one
 * @param pgPort          port of the embedded PostgreSQL; 0 as above
 * @param httpPort        the sessionizer's HTTP port; 0 as above
 * @param kafkaBootstrap  an existing Kafka instead of the embedded broker
 * @param jdbcUrl         an existing PostgreSQL (JDBC URL with user= and, if needed, password=) instead of the embedded one
 * @param artifacts       the built sessionizer and Flink job
 * @param topics          the pipeline's topic names
 * @param eventPartitions partitions of every topic the stack creates (existing topics keep theirs)
 * @param sessionizerEnv  extra environment of the sessionizer, e.g. the contract's {@code SESSIONIZER_*} session rules
 * @param flinkArgs       extra arguments of the Flink job (e.g. its checkpoint interval)
 * @param readyTimeout    how long to wait for every part to be ready
 */
public record StackConfig(Path dataDir, int kafkaPort, int pgPort, int httpPort,
                          Optional<String> kafkaBootstrap, Optional<String> jdbcUrl,
                          Artifacts artifacts, Topics topics, int eventPartitions,
                          Map<String, String> sessionizerEnv, List<String> flinkArgs,
                          Duration readyTimeout) {

    public StackConfig {
        dataDir = dataDir.toAbsolutePath().normalize();
        sessionizerEnv = Map.copyOf(sessionizerEnv);
        flinkArgs = List.copyOf(flinkArgs);
    }

    /** As the record's, but a password in the JDBC URL is never part of it (logs, error messages). */
    @Override
    public String toString() {
        return "StackConfig[dataDir=" + dataDir + ", kafkaPort=" + kafkaPort + ", pgPort=" + pgPort + ", httpPort="
                + httpPort + ", kafkaBootstrap=" + kafkaBootstrap + ", jdbcUrl=" + jdbcUrl.map(LocalStack::withoutPassword)
                + ", artifacts=" + artifacts + ", topics=" + topics + ", eventPartitions=" + eventPartitions
                + ", sessionizerEnv=" + sessionizerEnv + ", flinkArgs=" + flinkArgs + ", readyTimeout=" + readyTimeout
                + "]";
    }

    /** Name, partitions and configs of every topic the stack creates; the compacted ones are the enrichment tables. */
    public List<TopicSpec> topicSpecs() {
        Map<String, String> compacted = Map.of("cleanup.policy", "compact");
        // One partition count for all: only clickstream.events' count matters to the sessionizer (it
        // reads users and pages as global stores); one count keeps the layout simple.
        return List.of(
                new TopicSpec(topics.events(), eventPartitions, Map.of()),
                new TopicSpec(topics.users(), eventPartitions, compacted),
                new TopicSpec(topics.pages(), eventPartitions, compacted),
                new TopicSpec(topics.sessions(), eventPartitions, Map.of()),
                new TopicSpec(topics.dlq(), eventPartitions, Map.of()),
                new TopicSpec(topics.late(), eventPartitions, Map.of()));
    }

    public record TopicSpec(String name, int partitions, Map<String, String> configs) {}

    /** The contract's session rules ({@code SESSIONIZER_*}) from an environment, to pass on to the sessionizer. */
    public static Map<String, String> sessionRules(Map<String, String> environment) {
        Map<String, String> rules = new java.util.TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith("SESSIONIZER_")) {
                rules.put(name, value);
            }
        });
        return rules;
    }
}
