package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.Topics;
import com.acme.clickstream.loadtest.stack.LocalStack;
import com.acme.clickstream.loadtest.verify.EnrichmentHistory;
import com.acme.clickstream.loadtest.verify.Expectation;
import com.acme.clickstream.loadtest.verify.VerifyConfig;
import com.acme.clickstream.loadtest.verify.VerifyReport;
import com.acme.clickstream.loadtest.verify.Verifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * An end-to-end test on the shared local stack: it generates data with the load-test generator (every kind
 * of odd record at set ratios), optionally injects a fault while the load runs, and reconciles PostgreSQL and
 * the DLQ and late topics against what was sent with the load-test verifier (an independent reference
 * sessionizer): every expected session exactly once, exact accounting, no prepared transaction left.
 */
@ExtendWith(EndToEndTest.StackResolver.class)
abstract class EndToEndTest {
    static final double RATE = 100;
    /** Event seconds per wall second: a 10 s inactivity gap passes in 2 s, so sessions close during the run. */
    static final double TIME_SCALE = 5;
    static final Duration VERIFY_WITHIN = Duration.ofMinutes(3);
    /**
     * The mix for the fault tests, mis-keyed records included: after a fault the sessionizer drains a
     * backlog, and a record re-keyed through the repartition topic must come out as live processing would
     * have it (judged by the stream time as of its record timestamp), not too late behind the directly keyed backlog.
     * And profiles and page infos change while the events flow (5 per 100 events: updates, a third tombstones), so
     * that a fault meets the global stores mid-change; verify accepts for a changed user or page any value it held.
     */
    static final Ratios FAULT_MIX = new Ratios(0.02, 0.05, 0.01, 0.01, 0.02, 0.005).withEnrichmentChanges(0.05);

    LocalStack stack;

    /** What the test sent, kept under target/ to replay and verify by hand (load-test replay / verify --in). */
    Path dataDir;

    @BeforeEach
    void startFromCleanOutputs(LocalStack stack, TestInfo test) throws Exception {
        this.stack = stack;
        String name = test.getTestClass().map(Class::getSimpleName).orElse("") + "." + test.getDisplayName();
        log(name);
        dataDir = Path.of(System.getProperty("java.io.tmpdir"), "e2e-data", name.replaceAll("[^A-Za-z0-9.]", ""));
        SharedStack.deleteTree(dataDir);
        java.nio.file.Files.createDirectories(dataDir);
        // An earlier fault test leaves the stack running again; wait for it in case it is still recovering.
        stack.awaitReady(Duration.ofMinutes(2));
        awaitEarlierLoadsSettled();
        clearOutputs();
        log("outputs cleared");
    }

    private long faultAt;

    void logFault(String fault) {
        faultAt = System.nanoTime();
        log(fault + " under load, with " + stack.sessionRows() + " rows in PostgreSQL");
    }

    void logRecovered() {
        log(String.format("every part ready again %.1f s after the fault", (System.nanoTime() - faultAt) / 1e9));
    }

    static void log(String line) {
        System.out.println(java.time.LocalTime.now() + " e2e: " + line);
    }

    /** A dataset of {@code events} records in a stretch of event time of its own. */
    GeneratorConfig dataset(long events, long seed, Ratios ratios) {
        return dataset(stack.bootstrapServers(), dataDir, events, seed, ratios);
    }

    /**
     * As {@link #dataset(long, long, Ratios)}, sent at {@code rate} records/s with {@code timeScale} event seconds per
     * wall second: its event time spans events / rate × timeScale (a fast send of a long stretch of event time).
     */
    GeneratorConfig dataset(long events, long seed, Ratios ratios, double rate, double timeScale) {
        return dataset(stack.bootstrapServers(), dataDir, events, seed, ratios, rate, timeScale);
    }

    static GeneratorConfig dataset(String bootstrapServers, Path dataDir, long events, long seed, Ratios ratios) {
        return dataset(bootstrapServers, dataDir, events, seed, ratios, RATE, TIME_SCALE);
    }

    static GeneratorConfig dataset(String bootstrapServers, Path dataDir, long events, long seed, Ratios ratios,
                                   double rate, double timeScale) {
        Duration span = Duration.ofMillis((long) (events / rate * timeScale * 1000));
        Instant start = SharedStack.reserveEventTime(span);
        return new GeneratorConfig(bootstrapServers, Topics.defaults(), dataDir, rate, events, null, seed,
                start, timeScale, 300, 60, 1.1, ratios, SharedStack.RULES, SharedStack.EVENT_PARTITIONS,
                Duration.ofMinutes(2), Duration.ofSeconds(2), null);
    }

    static CompletableFuture<SentLog> generateInBackground(GeneratorConfig config) {
        CompletableFuture<SentLog> sent = new CompletableFuture<>();
        BACKGROUND_LOADS.add(sent);
        Thread thread = new Thread(() -> {
            try {
                sent.complete(Generator.run(config, EndToEndTest::log));
            } catch (Throwable t) {
                // Logged now: the test only asks the future once it has waited for the load's effects.
                log("generator failed: " + t);
                sent.completeExceptionally(t);
            }
        }, "e2e-generator");
        thread.setDaemon(true);
        thread.start();
        return sent;
    }

    static SentLog finished(CompletableFuture<SentLog> generation) throws Exception {
        return generation.get(3, TimeUnit.MINUTES);
    }

    /** Loads sent in the background, by this test or an earlier one of the JVM (they share the stack). */
    private static final Set<CompletableFuture<SentLog>> BACKGROUND_LOADS = ConcurrentHashMap.newKeySet();

    /**
     * What an earlier test left moving settles before this one clears the outputs. A test that fails midway leaves its
     * load behind: the generator may still be sending, and sessions still open close later, by idle advance, into the
     * next test's table. A CI run had PostgresCrashIT fail as its load ended, and ColdBacklogIT after it, on a stack
     * carrying about 56 open sessions of that load, counted 56 sessions it had not sent. A test that passed left
     * nothing, and this costs it two metric reads.
     */
    private void awaitEarlierLoadsSettled() throws Exception {
        for (CompletableFuture<SentLog> load : BACKGROUND_LOADS) {
            try {
                load.get(3, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                // the test that started it has reported it
            }
        }
        BACKGROUND_LOADS.clear();
        if (sessionizerInputLag() == 0 && stack.openSessions().orElse(0L) == 0) {
            return;
        }
        log("an earlier test left events or open sessions behind: waiting until they are in PostgreSQL");
        awaitEventsConsumed();
        await("the earlier tests' sessions closed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.openSessions().orElse(0L) == 0);
        awaitTwoMoreCheckpoints();
    }

    /** Whatever the sink job had prepared when this is called is committed when it returns. */
    private void awaitTwoMoreCheckpoints() {
        long checkpoints = stack.flinkCompletedCheckpoints();
        assertThat(checkpoints).as("completed checkpoints of the running sink job").isNotNegative();
        await("two more completed checkpoints of the sink job").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200)).until(() -> stack.flinkCompletedCheckpoints() >= checkpoints + 2);
    }

    /** Waits until sessions of the running load reach PostgreSQL: the pipeline is mid-flight. */
    void awaitRowsInPostgres(long rows) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> stack.sessionRows() >= rows);
    }

    /** Waits until {@code records} more records are on the events topic than {@code before}. */
    void awaitEventsAppended(long before, long records) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> eventsInTopic() >= before + records);
    }

    long eventsInTopic() throws Exception {
        try (Admin admin = stack.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < SharedStack.EVENT_PARTITIONS; p++) {
                latest.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    /** Verifies the dataset and asserts exactly-once delivery with exact accounting. */
    VerifyReport assertExactlyOnce(SentLog sent) {
        VerifyReport report = assertExactlyOnce(sent, stack.jdbcUrl(), stack.bootstrapServers());
        // One matching snapshot is not the proof: a second copy or a late commit can arrive after it. Wait for a
        // quiet period (the sessionizer has consumed every event sent, the sink has completed two more checkpoints,
        // so whatever it had prepared is committed), then everything must still match.
        awaitEventsConsumed();
        awaitTwoMoreCheckpoints();
        VerifyReport again = assertExactlyOnce(sent, stack.jdbcUrl(), stack.bootstrapServers(), Duration.ZERO);
        assertThat(again.actualRows()).as("rows after the quiet period").isEqualTo(report.actualRows());
        log("still exact after a quiet period (events consumed, two more checkpoints)");
        if (!sent.enrichmentChanges().isEmpty()) {
            assertEnrichmentChangesReachedSessions(sent);
        }
        return again;
    }

    /**
     * The profile and page changes sent during the load met sessions: some sessions are of a user or land on a page
     * that changed, whose enrichment verify checked against the values held.
     */
    void assertEnrichmentChangesReachedSessions(SentLog sent) {
        VerifyConfig config = VerifyConfig.of(sent.outDir(), stack.jdbcUrl(), stack.bootstrapServers())
                .withRules(SharedStack.RULES).withPartitions(SharedStack.EVENT_PARTITIONS);
        Expectation expected = Verifier.expect(config);
        EnrichmentHistory h = expected.enrichment();
        long touched = expected.sessions().stream().filter(r -> h.profilesHeld(r.userId()) != null
                || (r.landingPage() != null && h.categoriesHeld(r.landingPage()) != null)).count();
        log(String.format("enrichment changed during the load: %d users, %d pages; %d of %d sessions are of such a user"
                + " or land on such a page", h.changedUsers(), h.changedPages(), touched, expected.sessions().size()));
        assertThat(touched).as("sessions of a user or landing page changed during the load").isPositive();
    }

    /** The sessionizer's group has committed every offset of the events topic (lag 0). */
    void awaitEventsConsumed() {
        await("the sessionizer consumed every event sent").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200)).until(() -> sessionizerInputLag() == 0);
    }

    /**
     * Events on the topic not yet committed as consumed by the sessionizer's group. End offsets are read first, so
     * the figure never exceeds the lag at any one moment: records appended meanwhile do not count.
     */
    long sessionizerInputLag() throws Exception {
        try (Admin admin = stack.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < SharedStack.EVENT_PARTITIONS; p++) {
                latest.put(new TopicPartition(Topics.EVENTS, p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get();
            var committed = admin.listConsumerGroupOffsets(SESSIONIZER_GROUP).partitionsToOffsetAndMetadata().get();
            long lag = 0;
            for (var end : ends.entrySet()) {
                var offset = committed.get(end.getKey());
                lag += Math.max(0, end.getValue().offset() - (offset == null ? 0 : offset.offset()));
            }
            return lag;
        }
    }

    /** Transactions of the sessionizer's producers that are open on the broker (begun, not committed or aborted). */
    long sessionizerTransactionsOpen() throws Exception {
        try (Admin admin = stack.admin()) {
            return admin.listTransactions().all().get().stream()
                    .filter(t -> t.transactionalId().startsWith(SESSIONIZER_GROUP + "-"))
                    .filter(t -> t.state() == org.apache.kafka.clients.admin.TransactionState.ONGOING).count();
        }
    }

    /**
     * Waits for the moment a sessionizer crash must hit, and returns what was seen there: events not committed as
     * consumed and a Kafka transaction of the sessionizer open, both checked right before the caller's kill.
     */
    String awaitSessionizerMidTransaction() {
        String[] seen = new String[1];
        await("sessionizer input lag > 0 with a transaction open").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    long lag = sessionizerInputLag();
                    long open = sessionizerTransactionsOpen();
                    seen[0] = "input lag " + lag + ", " + open + " transaction(s) open";
                    return lag > 0 && open > 0;
                });
        return seen[0];
    }

    /** Kafka Streams' consumer group is its application id. */
    static final String SESSIONIZER_GROUP = "clickstream-sessionizer";

    static VerifyReport assertExactlyOnce(SentLog sent, String jdbcUrl, String bootstrapServers) {
        return assertExactlyOnce(sent, jdbcUrl, bootstrapServers, VERIFY_WITHIN);
    }

    /** Verifies, retrying until {@code within} has passed (zero: one look), and asserts the result. */
    static VerifyReport assertExactlyOnce(SentLog sent, String jdbcUrl, String bootstrapServers, Duration within) {
        long started = System.nanoTime();
        VerifyReport report = Verifier.verify(VerifyConfig.of(sent.outDir(), jdbcUrl, bootstrapServers)
                .withRules(SharedStack.RULES).withPartitions(SharedStack.EVENT_PARTITIONS).withAwait(within));
        log(String.format("%s (settled %.1f s after the last event was sent)", report.summary(),
                (System.nanoTime() - started) / 1e9));

        assertThat(report.ok()).as(report.summary()).isTrue();
        assertThat(report.expectedSessions()).as("sessions expected").isPositive();
        assertThat(report.actualRows()).as("rows in sessions").isEqualTo(report.expectedSessions());
        assertThat(report.sumEventCount()).as("sum(event_count)").isEqualTo(report.eventsInSessions());
        assertThat(report.eventsInSessions() + report.duplicates() + report.late())
                .as("valid events = in sessions + duplicates + too late").isEqualTo(report.validEvents());
        assertThat(report.dlqRecords()).as("DLQ records").isEqualTo(report.invalid());
        assertThat(report.lateRecords()).as("late topic records").isEqualTo(report.late());
        assertThat(report.validEvents() + report.invalid() + report.nulls())
                .as("every record sent is valid, invalid or null").isEqualTo(sent.events());
        // The Flink job diverts a second copy of a written session to its dead-letter table instead of
        // failing: exactly once means no second copy ever arrived.
        assertThat(queryLong(jdbcUrl, "select case when to_regclass('sessions_rejected') is null then 0"
                + " else (select count(*) from sessions_rejected) end")).as("rows in sessions_rejected").isZero();
        assertNoPreparedTransactionLeftBehind(jdbcUrl);
        return report;
    }

    /**
     * The XA sink keeps the transaction of each subtask prepared from a checkpoint's barrier until that
     * checkpoint completes, so pg_prepared_xacts is empty only between checkpoints; what must never be is a
     * prepared transaction that stays: one a crashed job left behind and nobody commits or rolls back. So:
     * every transaction prepared now must be gone (committed) a few checkpoints later.
     */
    static void assertNoPreparedTransactionLeftBehind(String jdbcUrl) {
        Set<String> preparedNow = preparedGids(jdbcUrl);
        await("every transaction prepared now resolved within a few checkpoints (none left behind): " + preparedNow)
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    preparedNow.retainAll(preparedGids(jdbcUrl));
                    return preparedNow.isEmpty();
                });
        log("no prepared transaction left behind");
    }

    static Set<String> preparedGids(String jdbcUrl) {
        Set<String> gids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select gid from pg_prepared_xacts")) {
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return gids;
    }

    static long queryLong(String jdbcUrl, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Verify reads the whole table and the whole DLQ and late topics: empty them, so that a test sees only
     * its own data. Safe between tests: the previous test's sessions are all final and written.
     */
    private void clearOutputs() throws Exception {
        try (Connection c = stack.dataSource().getConnection(); Statement s = c.createStatement()) {
            // Waits for the Flink job's prepared transaction, if any, to commit with its next checkpoint.
            s.execute("set lock_timeout = '60s'");
            s.execute("truncate sessions");
            s.execute("do $$ begin if to_regclass('sessions_rejected') is not null then"
                    + " truncate sessions_rejected; end if; end $$");
        }
        try (Admin admin = stack.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.DLQ, Topics.LATE)) {
                for (int p = 0; p < SharedStack.EVENT_PARTITIONS; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, o) -> delete.put(tp, RecordsToDelete.beforeOffset(o.offset())));
            admin.deleteRecords(delete).all().get();
        }
    }

    /**
     * The stack this test runs on: the shared one. A test whose fault needs a stack built otherwise (the broker in a
     * process of its own) starts its own here and closes it through {@code context}'s store.
     */
    LocalStack stack(ExtensionContext context) {
        return SharedStack.get(context);
    }

    /** Hands each test its stack (the shared one: started on first use, stopped when the test plan ends). */
    static final class StackResolver implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == LocalStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return ((EndToEndTest) context.getRequiredTestInstance()).stack(context);
        }
    }
}
