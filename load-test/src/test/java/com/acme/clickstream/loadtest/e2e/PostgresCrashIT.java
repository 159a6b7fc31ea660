package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/**
 * A real crash of PostgreSQL under load: SIGKILL of the postmaster while the sink has a transaction with writes
 * open, downtime while events keep arriving, crash recovery from the WAL on restart. The sink job must notice (a
 * failure in its history), recover, and every session must be in the table exactly once, with no prepared
 * transaction left.
 */
class PostgresCrashIT extends EndToEndTest {

    /** Transactions of other sessions that hold an xid: they have written something (the sink's open batch). */
    private static final String OPEN_WRITE_TRANSACTIONS = "select count(*) from pg_stat_activity "
            + "where backend_xid is not null and pid <> pg_backend_pid()";

    @Test
    void postgresCrashedUnderLoad() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(4000, 6006, FAULT_MIX));
        awaitRowsInPostgres(10);
        long failuresBefore = stack.flinkJobFailures();
        assertThat(failuresBefore).as("failures of the sink job before the crash").isNotNegative();

        // The fault lands mid-flight: the load is still being sent and the sink has written into an open
        // transaction (checked right before the kill; the sink keeps one open between checkpoints while rows come).
        await("a write transaction of the sink open").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> queryLong(stack.jdbcUrl(), OPEN_WRITE_TRANSACTIONS) > 0);
        long prepared = stack.preparedTransactions();
        assertThat(load).as("the load is still being sent at the crash").isNotDone();
        Postgres postgres = stack.postgres().orElseThrow();
        logFault("PostgreSQL crashed (SIGKILL of the postmaster; " + prepared + " transactions prepared just before)");
        long eventsAtCrash = eventsInTopic();
        postgres.crash();
        // Down while the load goes on: 300 more events (3 s at 100 events/s) arrive meanwhile.
        awaitEventsAppended(eventsAtCrash, 300);
        postgres.start();
        stack.awaitReady();
        await("the sink job's failure recorded").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.flinkJobFailures() > failuresBefore);
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
