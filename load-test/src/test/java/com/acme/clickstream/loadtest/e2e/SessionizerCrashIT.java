package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the sessionizer under load, at a moment the test sees events it has not committed as consumed and one
 * of its Kafka transactions open, then a restart on the same state dir.
 */
class SessionizerCrashIT extends EndToEndTest {

    @Test
    void sessionizerKilledWithSigkillUnderLoadAndRestarted() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 2002, FAULT_MIX));
        awaitRowsInPostgres(10);

        String seen = awaitSessionizerMidTransaction();
        assertThat(load).as("the load is still being sent at the kill").isNotDone();
        logFault("kill -9 of the sessionizer (" + seen + ")");
        stack.sessionizer().kill();
        stack.sessionizer().start();
        stack.awaitReady();
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
