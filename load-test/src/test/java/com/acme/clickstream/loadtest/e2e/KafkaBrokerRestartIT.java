package com.acme.clickstream.loadtest.e2e;

import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/** A restart of the (only) Kafka broker under load: producers, Kafka Streams and the Flink source reconnect. */
class KafkaBrokerRestartIT extends EndToEndTest {

    @Test
    void kafkaBrokerRestartedUnderLoad() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 5005, FAULT_MIX));
        awaitRowsInPostgres(10);

        KafkaBroker broker = stack.broker().orElseThrow();
        logFault("Kafka broker stopped");
        broker.stop();
        broker.start();
        stack.awaitReady();
        logRecovered();

        assertExactlyOnce(finished(load));
    }
}
