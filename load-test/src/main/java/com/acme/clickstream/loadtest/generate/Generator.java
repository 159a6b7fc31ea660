package com.acme.clickstream.loadtest.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.replay.KafkaSend;

/**
 * Sends a generated clickstream: user profiles and page infos first (so that enrichment knows
 * them), then the events at the configured rate, with changes of profiles and page infos between them when
 * their share is set, and records every record with the partition and offset the broker acknowledged, in send
 * order, into outDir (the format replay and verify read).
 */
public final class Generator {
    private Generator() {}

    public static SentLog run(GeneratorConfig config) {
        return run(config, System.out::println);
    }

    /**
     * @param progress receives a progress line every {@code config.progressEvery()} and the summary
     *                 <p>Interrupting the calling thread stops the run early; the records sent so far are all
     *                 recorded and the returned log counts them (the interrupt flag is set again on return).
     */
    public static SentLog run(GeneratorConfig config, Consumer<String> progress) {
        return run(config, progress, () -> false);
    }

    /**
     * As {@link #run(GeneratorConfig, Consumer)}, and also stops early, the same way, once {@code stop} says
     * so. Stopping by flag rather than by interrupt lets the producer flush and close normally: an
     * interrupted Kafka producer logs an error with a stack trace while it closes.
     */
    public static SentLog run(GeneratorConfig config, Consumer<String> progress, BooleanSupplier stop) {
        long total = config.total();
        if (total != Long.MAX_VALUE) {
            Instant lastTs = Instant.ofEpochMilli(config.eventTimeMs(total));
            if (lastTs.isAfter(Instant.now())) {
                throw new IllegalArgumentException("event time would reach " + lastTs + ", past the wall clock"
                        + " (events beyond it + max-future-skew are invalid): use an earlier --start, a lower"
                        + " --time-scale or fewer events");
            }
        }
        return run(config, progress, stop, new KafkaSend(config.bootstrapServers()));
    }

    /** As {@link #run(GeneratorConfig, Consumer, BooleanSupplier)} through the given sender (closed on return). */
    static SentLog run(GeneratorConfig config, Consumer<String> progress, BooleanSupplier stop, KafkaSend sender) {
        Path out = config.outDir();
        long started = System.nanoTime();
        try (KafkaSend send = sender) {
            int partitions = config.partitions() > 0 ? config.partitions() : send.partitionCount(config.topics().events());
            EventPlanner planner = new EventPlanner(config, partitions);
            long firstTs = planner.eventTimeMs();
            List<SentRecord> userRecords = planner.userRecords();
            List<SentRecord> pageRecords = planner.pageRecords();
            // Planning starts now, so that the first events are planned (and the planner's code compiled)
            // while users and pages are sent: the events then start on schedule.
            try (PlannedAhead planned = new PlannedAhead(planner, PlannedAhead.CAPACITY);
                 KafkaSend.Recorder users = send.recorder(config.topics().users(), out.resolve(Jsonl.USERS));
                 KafkaSend.Recorder pages = send.recorder(config.topics().pages(), out.resolve(Jsonl.PAGES))) {
                userRecords.forEach(users::send);
                pageRecords.forEach(pages::send);
                // Acknowledged before the first event, as when these recorders were closed here: the records
                // sent before the load are the enrichment every session may rely on.
                send.flush();
                Enrichment enrichment = new Enrichment(users, pages, planner.enrichmentChanges());
                return sendEvents(config, progress, stop, send, planned, enrichment, partitions, firstTs, userRecords.size(),
                        pageRecords.size(), started);
            }
        }
    }

    /** The recorders of the compacted topics and the changes to send to them between the events. */
    private record Enrichment(KafkaSend.Recorder users, KafkaSend.Recorder pages, EnrichmentChanges changes) {}

    /** The events, paced: record i is sent at i / rate after the first (or as soon as possible when behind). */
    private static SentLog sendEvents(GeneratorConfig config, Consumer<String> progress, BooleanSupplier stop,
                                      KafkaSend send, PlannedAhead planned, Enrichment enrichment, int partitions,
                                      long firstTs, long users, long pages, long started) {
        long total = config.total();
        Path out = config.outDir();
        long lastTs = firstTs;
        long eventsStarted = System.nanoTime();
        long eventsStartedWallMs = System.currentTimeMillis();
        long nextProgress = eventsStarted + nanos(config.progressEvery());
        long sent = 0;
        Map<String, Long> sentByKind = EventPlanner.zeroCounts();
        Map<String, Long> changesByKind = new java.util.TreeMap<>();
        long maxBehindNanos = 0;
        boolean interrupted = false;
        try (KafkaSend.Recorder rec = send.recorder(config.topics().events(), out.resolve(Jsonl.EVENTS))) {
            while (sent < total) {
                long eventTime = config.eventTimeMs(sent);
                if (total == Long.MAX_VALUE && eventTime > System.currentTimeMillis()) {
                    progress.accept("generate: event time reached the wall clock, stopping");
                    break;
                }
                // Planned (and serialized) ahead on the planner's thread: usually here already.
                SentRecord record = planned.next(stop);
                // Record i is due at i / rate after the start: sleeping keeps the rate, catching up is allowed.
                long due = eventsStarted + (long) (sent * 1e9 / config.rate());
                long wait = due - System.nanoTime();
                maxBehindNanos = Math.max(maxBehindNanos, -wait);
                if (record == null || stop.getAsBoolean() || Thread.interrupted()
                        || (wait > 0 && !sleepNanos(wait, stop))) {
                    // Stopped from outside: end here, but record every record already sent.
                    interrupted = true;
                    progress.accept("generate: stopping");
                    break;
                }
                // Stamped when it was due (created, in the simulation), not when the producer took it: a client
                // that held events back while the broker was down sends them in a burst, and stamped at send time
                // they would all share a few milliseconds, where the order of re-keyed records is lost.
                rec.send(record, eventsStartedWallMs + (due - eventsStarted) / 1_000_000);
                EventPlanner.count(sentByKind, record.kind());
                lastTs = eventTime;
                sent++;
                // Few (a share of the events) and planned in no time: here, unpaced, right after their event.
                for (EnrichmentChanges.Change c : enrichment.changes().dueAfter(sent)) {
                    (c.users() ? enrichment.users() : enrichment.pages()).send(c.record());
                    changesByKind.merge(c.record().kind(), 1L, Long::sum);
                }
                if (config.progressEvery() != null && System.nanoTime() >= nextProgress) {
                    double secs = (System.nanoTime() - eventsStarted) / 1e9;
                    progress.accept(String.format("generate: sent=%d rate=%.0f/s elapsed=%.0fs event_time=%s",
                            sent, sent / secs, secs, Instant.ofEpochMilli(eventTime)));
                    nextProgress += nanos(config.progressEvery());
                }
            }
        }
        // Before the producer closes (finish): closing a recorder flushes it.
        enrichment.users().close();
        enrichment.pages().close();
        SentLog log = new SentLog(out, partitions, sent, Map.copyOf(sentByKind), users, pages,
                Map.copyOf(changesByKind), Instant.ofEpochMilli(firstTs), Instant.ofEpochMilli(lastTs),
                Duration.ofNanos(System.nanoTime() - started), Duration.ofNanos(maxBehindNanos));
        progress.accept(log.summary());
        // Restored only now: the producer below must close without seeing an interrupt.
        return finish(log, interrupted, send);
    }

    private static SentLog finish(SentLog log, boolean interrupted, KafkaSend send) {
        send.close();
        if (interrupted && !Thread.currentThread().isInterrupted()) {
            Thread.currentThread().interrupt();
        }
        return log;
    }

    private static long nanos(Duration d) {
        return d == null ? Long.MAX_VALUE / 4 : d.toNanos();
    }

    /** False when interrupted (the flag is then cleared: the caller stops and restores it) or asked to stop. */
    private static boolean sleepNanos(long nanos, BooleanSupplier stop) {
        long deadline = System.nanoTime() + nanos;
        try {
            // In slices, so that a stop request is seen within 100 ms even at a low rate.
            for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                long slice = Math.min(left, 100_000_000L);
                Thread.sleep(slice / 1_000_000, (int) (slice % 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
