package com.acme.clickstream.loadtest.e2e;

import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/** kill -9 of the Flink job (its whole MiniCluster process) under load, then a restart from its checkpoints. */
class FlinkJobCrashIT extends EndToEndTest {

    @Test
    void flinkJobKilledWithSigkillUnderLoadAndRestartedFromItsCheckpoint() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 3003, FAULT_MIX));
        awaitRowsInPostgres(10);

        logFault("kill -9 of the Flink job");
        stack.flinkJob().kill();
        stack.flinkJob().start();
        stack.awaitReady();
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
