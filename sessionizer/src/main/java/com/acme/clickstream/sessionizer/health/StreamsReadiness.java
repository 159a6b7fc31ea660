package com.acme.clickstream.sessionizer.health;

import java.time.Duration;

import org.apache.kafka.streams.KafkaStreams.State;

/**
 * The readiness rule, apart from Quarkus and the clock so that it can be tested: ready while RUNNING, and while
 * REBALANCING for at most the tolerance once the instance has been RUNNING since its start. Before the first
 * RUNNING the instance is still restoring its stores: not ready, so that a rolling update waits for it. Any other
 * state (PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR, CREATED) is not ready.
 *
 * <p>Fed by the client's state changes ({@link #observe} from the state listener) and by every probe with the
 * state it reads, so that a missed change is caught up with at the next probe. Thread-safe.
 */
public final class StreamsReadiness {

    /** The verdict of one probe; {@code rebalancingFor} is zero unless the state is REBALANCING. */
    public record Verdict(boolean ready, State state, Duration rebalancingFor) {}

    private final long toleranceNanos;
    private boolean hasRun;
    private long rebalancingSinceNanos;
    private boolean rebalancing;

    public StreamsReadiness(Duration tolerance) {
        this.toleranceNanos = tolerance.toNanos();
    }

    /** Records a state seen at {@code nowNanos} (a {@link System#nanoTime()} reading). */
    public synchronized void observe(State state, long nowNanos) {
        if (state == State.REBALANCING) {
            if (!rebalancing) {
                rebalancing = true;
                rebalancingSinceNanos = nowNanos;
            }
            return;
        }
        rebalancing = false;
        if (state == State.RUNNING) {
            hasRun = true;
        } else if (state != State.CREATED) {
            // After a shutdown or an error the instance restarts its stores from scratch: as at start.
            hasRun = false;
        }
    }

    public synchronized Verdict check(State state, long nowNanos) {
        observe(state, nowNanos);
        if (state == State.RUNNING) {
            return new Verdict(true, state, Duration.ZERO);
        }
        if (state == State.REBALANCING) {
            long forNanos = nowNanos - rebalancingSinceNanos;
            return new Verdict(hasRun && forNanos <= toleranceNanos, state, Duration.ofNanos(forNanos));
        }
        return new Verdict(false, state, Duration.ZERO);
    }
}
