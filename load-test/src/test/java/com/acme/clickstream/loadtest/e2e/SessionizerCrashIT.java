package com.acme.clickstream.loadtest.e2e;

import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/** kill -9 of the sessionizer under load, then a restart on the same state dir. */
class SessionizerCrashIT extends EndToEndTest {

    @Test
    void sessionizerKilledWithSigkillUnderLoadAndRestarted() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 2002, FAULT_MIX));
        awaitRowsInPostgres(10);

        logFault("kill -9 of the sessionizer");
        stack.sessionizer().kill();
        stack.sessionizer().start();
        stack.awaitReady();
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
