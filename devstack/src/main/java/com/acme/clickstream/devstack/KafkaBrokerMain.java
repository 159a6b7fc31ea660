package com.acme.clickstream.devstack;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@link KafkaBroker} as a process of its own: {@code KafkaBrokerMain LOG_DIR PORT CONTROLLER_PORT}. A broker inside
 * the JVM of a test cannot be SIGKILLed without killing the test; as a child process it can, and started again with
 * the same arguments it recovers the same log dir on the same addresses (KRaft recovery after an unclean shutdown).
 * SIGTERM stops it cleanly (a shutdown hook); prints {@code READY host:port} once it serves clients.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: KafkaBrokerMain LOG_DIR PORT CONTROLLER_PORT");
            System.exit(2);
        }
        KafkaBroker broker = KafkaBroker.start(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            stopped.countDown();
        }, "kafka-broker-stop"));
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        // The broker's own threads would keep the JVM alive too; waiting here says that this is the process' job.
        stopped.await();
    }
}
