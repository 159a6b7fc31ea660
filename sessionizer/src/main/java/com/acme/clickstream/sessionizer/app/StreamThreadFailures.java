package com.acme.clickstream.sessionizer.app;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import com.acme.clickstream.sessionizer.config.StreamThreadConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * The handler Quarkus sets on the Kafka Streams client (a bean of this type is picked up): a stream thread that
 * dies of an exception is replaced, up to {@code sessionizer.stream-thread.max-replacements} times within
 * {@code sessionizer.stream-thread.replacement-window}; past that budget, and on a JVM {@link Error}, the client
 * stops (ERROR), liveness goes down and the pod is restarted.
 *
 * <p>Without a handler Kafka Streams stops the client at the first failure of any thread. Some failures are
 * transient, and a broker outage produces them: a commit that fails with {@code InvalidTxnStateException} once
 * the broker is back was seen to stop the client of the local stack for good, where nothing restarts it. A
 * replacement costs no correctness under exactly-once: the dead thread's transaction is never committed, its
 * tasks close dirty and resume on the new thread from their last commit, their stores restored from the
 * changelogs. Under static membership the dead thread's consumer does not leave the group, so it is removed once
 * the thread is dead ({@link StaticMemberRemoval}) and its tasks move at once instead of after
 * {@code session.timeout.ms}.
 */
@Singleton
public class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StreamThreadFailures.class);

    private final int maxReplacements;
    private final Duration window;
    private final LongSupplier nanoClock;
    private final Counter replaced;
    /** Called on the dying thread when it is replaced. */
    private final Consumer<Thread> onReplace;
    /** When the replacements within the window happened (nano clock), oldest first. */
    private final ArrayDeque<Long> recent = new ArrayDeque<>();

    @Inject
    StreamThreadFailures(StreamThreadConfig config, MeterRegistry registry, Instance<StreamsConfig> streamsConfig) {
        this(config.maxReplacements(), config.replacementWindow(), System::nanoTime, registry,
                thread -> {
                    if (streamsConfig.isResolvable()) {
                        new StaticMemberRemoval(streamsConfig.get()).accept(thread);
                    }
                });
    }

    StreamThreadFailures(int maxReplacements, Duration window, LongSupplier nanoClock, MeterRegistry registry,
            Consumer<Thread> onReplace) {
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.nanoClock = nanoClock;
        this.onReplace = onReplace;
        this.replaced = Counter.builder("sessionizer.stream.thread.replacements")
                .description("Kafka Streams stream threads that died of an exception and were replaced")
                .register(registry);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
        if (failure instanceof Error) {
            LOG.errorf(failure, "a stream thread died of a JVM error: stopping Kafka Streams (liveness goes down)");
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = nanoClock.getAsLong();
        while (!recent.isEmpty() && now - recent.peekFirst() >= window.toNanos()) {
            recent.pollFirst();
        }
        if (recent.size() >= maxReplacements) {
            LOG.errorf(failure, "a stream thread died, and %d were replaced within %s (sessionizer.stream-thread."
                    + "max-replacements): stopping Kafka Streams (liveness goes down)", recent.size(), window);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        recent.addLast(now);
        replaced.increment();
        LOG.warnf(failure, "a stream thread died: replacing it (%d of %d within %s); its tasks resume from their "
                + "last commit", recent.size(), maxReplacements, window);
        onReplace.accept(Thread.currentThread());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
