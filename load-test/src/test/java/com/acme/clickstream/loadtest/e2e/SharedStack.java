package com.acme.clickstream.loadtest.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.stack.Artifacts;
import com.acme.clickstream.loadtest.stack.LocalStack;
import com.acme.clickstream.loadtest.stack.StackConfig;
import com.acme.clickstream.loadtest.model.Topics;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One local stack for all end-to-end tests of a test JVM (2 cores: start Kafka, PostgreSQL, the
 * sessionizer and the Flink job once), started by the same classes as the run command, and stopped
 * when JUnit finishes the test plan (also when tests fail).
 */
final class SharedStack {
    /**
     * Short session rules (contract names), so that sessions close within seconds of their last event. The max
     * duration is short enough for a test's marathon users to reach within its minutes of event time, and far above
     * the longest session of ordinary visits (135 s, in PostgresCrashIT's 200 s of event time; at most 4 min over
     * 20 seeds of ColdBacklogIT's shape): for every other test it changes nothing.
     */
    static final Map<String, String> SESSION_RULES = Map.of(
            "SESSIONIZER_INACTIVITY_GAP", "PT10S",
            "SESSIONIZER_GRACE", "PT2S",
            "SESSIONIZER_IDLE_ADVANCE_AFTER", "PT1S",
            "SESSIONIZER_MAX_DURATION", "PT5M");
    static final SessionRules RULES = SessionRules.fromEnv(SESSION_RULES);
    static final int EVENT_PARTITIONS = 4;
    /**
     * How far back the first test's event time starts: each test takes its span plus three hours, and a dataset
     * whose event time would pass the wall clock is refused (its future events would be invalid). 20 hours held
     * six tests; the seventh found its start past the wall clock and sent nothing.
     */
    static final Duration EVENT_TIME_BUDGET = Duration.ofHours(48);
    /**
     * Rows become visible per checkpoint: checkpoint often. Each row is copied into the open transaction as it
     * arrives (a batch of one): with the default batch of 5000, a test's few sessions per checkpoint were written only
     * at the barrier, so the transaction held writes for milliseconds before its prepare, and a fault "between
     * checkpoints" almost never met one (PostgresCrashIT waited a minute for it in vain).
     */
    static final List<String> FLINK_ARGS = List.of("--checkpoint-interval", "PT2S", "--jdbc-batch-size", "1");

    /**
     * Each test's events get their own stretch of event time, hours after the previous test's: the
     * sessionizer's stream time (and dedup memory) carries over from test to test, the reference
     * implementation of verify starts from nothing, so a test must not overlap an earlier one.
     */
    private static Instant nextEventTime = Instant.now().minus(EVENT_TIME_BUDGET).truncatedTo(ChronoUnit.HOURS);

    private SharedStack() {}

    static LocalStack get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedStack.class, k -> new Holder(start()), Holder.class).stack;
    }

    /** Event time for a test's data: a start at least three hours after the previous test's. */
    static synchronized Instant reserveEventTime(Duration span) {
        Instant start = nextEventTime;
        nextEventTime = start.plus(span).plus(Duration.ofHours(3));
        return start;
    }

    private static LocalStack start() {
        // The build points java.io.tmpdir into the module's build directory.
        Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "e2e-stack");
        deleteTree(dataDir);
        return start(config(dataDir, Optional.empty(), SESSION_RULES));
    }

    /**
     * What the shared stack runs, on {@code dataDir}, with the broker at {@code kafkaBootstrap} (empty: the stack's
     * embedded one) and the sessionizer's {@code sessionRules}: a test that needs a stack of its own gets the same
     * parts and settings.
     */
    static StackConfig config(Path dataDir, Optional<String> kafkaBootstrap, Map<String, String> sessionRules) {
        return new StackConfig(dataDir, 0, 0, 0, kafkaBootstrap, Optional.empty(),
                artifacts(), Topics.defaults(), EVENT_PARTITIONS, sessionRules, FLINK_ARGS, Duration.ofMinutes(3));
    }

    static LocalStack start(StackConfig config) {
        long started = System.nanoTime();
        LocalStack stack = LocalStack.start(config);
        EndToEndTest.log(String.format("%s (ready in %.1f s)", stack.readyLine(), (System.nanoTime() - started) / 1e9));
        return stack;
    }

    /** The built sessionizer and Flink job, next to this module (-De2e.* points elsewhere). */
    static Artifacts artifacts() {
        Path module = Path.of("").toAbsolutePath();
        Artifacts artifacts = new Artifacts(
                Path.of(System.getProperty("e2e.sessionizer.jar",
                        module.resolve("../sessionizer/target/quarkus-app/quarkus-run.jar").toString())),
                Path.of(System.getProperty("e2e.flink.classes",
                        module.resolve("../flink-sink-job/target/classes").toString())),
                Path.of(System.getProperty("e2e.flink.lib",
                        module.resolve("../flink-sink-job/target/lib").toString())));
        // Fails with what is missing and how to build it (mvn verify at the root builds them first).
        artifacts.check();
        return artifacts;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** JUnit closes AutoCloseable values of the root store when the test plan ends. */
    private record Holder(LocalStack stack) implements AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }
}
