package com.acme.clickstream.loadtest.generate;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import com.acme.clickstream.loadtest.model.SentRecord;

/**
 * The planner's records, planned and serialized on a thread of their own into a bounded queue ahead of
 * the sender: planning a record (choosing a user and visit, building and serializing its JSON) costs more
 * than sending it, and on the sender's thread it delayed every send. The order is the planner's, so the
 * records sent are exactly those {@link EventPlanner} plans for the config. Records planned but never
 * taken (a run stopped early) are dropped: nothing counts them.
 */
final class PlannedAhead implements AutoCloseable {
    /** Records planned ahead at most: 1.5 s at the bench rate (22 000/s), about 12 MB. */
    static final int CAPACITY = 32_768;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventPlanner planner;
    private final BlockingQueue<SentRecord> queue;
    private final Thread thread;
    private volatile Throwable failure;

    PlannedAhead(EventPlanner planner, int capacity) {
        this.planner = planner;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::planAll, "generate-planner");
        thread.setDaemon(true);
        thread.start();
    }

    private void planAll() {
        try {
            while (planner.hasNext()) {
                queue.put(planner.next());
            }
        } catch (InterruptedException e) {
            // closed: the sender wants no more records
        } catch (Throwable t) {
            failure = t;
        }
    }

    /**
     * The next record in plan order, waiting for the planner if it is behind; null once {@code stop} says so
     * or the calling thread is interrupted (the flag is then cleared: the caller stops and restores it).
     * The planner's own failure is thrown here.
     */
    SentRecord next(BooleanSupplier stop) {
        try {
            while (true) {
                SentRecord r = queue.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
                if (r != null) {
                    return r;
                }
                if (failure != null) {
                    throw new IllegalStateException("planning records failed: " + failure, failure);
                }
                if (stop.getAsBoolean() || !thread.isAlive() && queue.isEmpty()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            return null;
        }
    }

    /** Stops the planner thread and waits for it (it must not touch the planner after the run). */
    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
