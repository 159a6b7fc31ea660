package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/**
 * Many sessionizer crashes in one run, at seeded random points, in the spirit of flink-connector-jdbc's exactly-once
 * end-to-end test: while the full record mix flows, the sessionizer is killed with SIGKILL again and again, each
 * time after a random number of new session rows and at a moment with events not committed as consumed and a Kafka
 * transaction open (asserted), restarted on the same state dir, and the result must be exact. The default is a short
 * run for the suite; {@code -Dfaults.count=N -Dfaults.events=M} makes a longer one, {@code -Dfaults.seed=S} replays
 * one (the seed is printed).
 */
class RepeatedSessionizerCrashIT extends EndToEndTest {

    @Test
    void sessionizerKilledAgainAndAgainAtSeededPoints() throws Exception {
        long seed = Long.getLong("faults.seed", System.nanoTime());
        int faults = Integer.getInteger("faults.count", 3);
        int events = Integer.getInteger("faults.events", 6000);
        log(String.format("repeated sessionizer crashes: seed=%d faults=%d events=%d (replay: -Dfaults.seed=%d)",
                seed, faults, events, seed));
        Random random = new Random(seed);

        CompletableFuture<SentLog> load = generateInBackground(dataset(events, seed, FAULT_MIX));
        long rows = 0;
        for (int i = 1; i <= faults; i++) {
            rows += 5 + random.nextInt(40);
            awaitRowsInPostgres(rows);
            String seen = awaitSessionizerMidTransaction();
            assertThat(load).as("seed " + seed + ": the load is still being sent at fault " + i).isNotDone();
            logFault("fault " + i + "/" + faults + ": kill -9 of the sessionizer (" + seen + ")");
            stack.sessionizer().kill();
            stack.sessionizer().start();
            stack.awaitReady();
            logRecovered();
            rows = stack.sessionRows();
        }
        assertExactlyOnce(finished(load));
        log("repeated sessionizer crashes: seed=" + seed + " exact after " + faults + " faults");
    }
}
