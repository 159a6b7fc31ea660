package com.acme.clickstream.sessionizer.app;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

import com.acme.clickstream.sessionizer.config.ShutdownConfig;
import io.quarkus.runtime.ShutdownEvent;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Closes Kafka Streams within {@code sessionizer.shutdown.close-timeout}, before Quarkus' own close (which waits
 * without a bound and then finds the client closed). A bounded close is what a termination grace period can be
 * sized against: a close that SIGKILL cuts short leaves no checkpoint files, and the next start of the pod
 * restores its stores from the changelogs.
 */
@Singleton
public class StreamsShutdown {
    private static final Logger LOG = Logger.getLogger(StreamsShutdown.class);

    private final Instance<KafkaStreams> streams;
    private final ShutdownConfig config;

    StreamsShutdown(Instance<KafkaStreams> streams, ShutdownConfig config) {
        this.streams = streams;
        this.config = config;
    }

    // Earlier than the default observer priority of Quarkus' Kafka Streams producer.
    void onStop(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        if (!streams.isResolvable()) {
            return;
        }
        KafkaStreams ks = streams.get();
        long start = System.nanoTime();
        boolean closed = ks.close(config.closeTimeout());
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (closed) {
            LOG.infof("Kafka Streams closed in %d ms", ms);
        } else {
            LOG.warnf("Kafka Streams did not close within %s (sessionizer.shutdown.close-timeout): the next start "
                    + "restores the stores of unfinished tasks from their changelogs", config.closeTimeout());
        }
    }
}
