package com.acme.clickstream.loadtest.e2e;

import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/** A PostgreSQL restart under load (prepared transactions survive it; the Flink job fails and recovers). */
class PostgresRestartIT extends EndToEndTest {

    @Test
    void postgresRestartedUnderLoad() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 4004, FAULT_MIX));
        awaitRowsInPostgres(10);

        Postgres postgres = stack.postgres().orElseThrow();
        logFault("PostgreSQL stopped");
        postgres.stop();
        // Down while the load goes on: 300 more events (3 s at 100 events/s) arrive meanwhile.
        awaitEventsAppended(eventsInTopic(), 300);
        postgres.start();
        stack.awaitReady();
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
