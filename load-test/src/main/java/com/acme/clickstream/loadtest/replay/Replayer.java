package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.util.function.Consumer;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;

/**
 * Replays record files into the topics: pages, then users (flushed, so enrichment has them before
 * the first event), then events; each file in order, with its keys (a missing key is sent without one)
 * and values (null values stay null). Partitions in the file are ignored: the partitioner decides again.
 */
public final class Replayer {
    private Replayer() {}

    /** Counts of records replayed per file. */
    public record Replayed(long pages, long users, long events) {}

    public static Replayed run(ReplayConfig config, Consumer<String> progress) {
        try (KafkaSend send = new KafkaSend(config.bootstrapServers())) {
            long pages = sendFile(send, config.topics().pages(), config.inDir().resolve(Jsonl.PAGES), 0, null, progress);
            long users = sendFile(send, config.topics().users(), config.inDir().resolve(Jsonl.USERS), 0, null, progress);
            send.flush();
            long events = sendFile(send, config.topics().events(), config.inDir().resolve(Jsonl.EVENTS), config.rate(),
                    config.progressEvery(), progress);
            send.flush();
            Replayed r = new Replayed(pages, users, events);
            progress.accept("replay: sent pages=" + pages + " users=" + users + " events=" + events);
            return r;
        }
    }

    private static long sendFile(KafkaSend send, String topic, Path file, double rate, java.time.Duration every,
                                 Consumer<String> progress) {
        long[] n = {0};
        long start = System.nanoTime();
        long[] nextProgress = {start + (every == null ? Long.MAX_VALUE / 4 : every.toNanos())};
        try (KafkaSend.Recorder rec = send.recorder(topic, null)) {
            Jsonl.forEach(file, (SentRecord r) -> {
                if (rate > 0) {
                    long wait = start + (long) (n[0] * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                }
                rec.send(r);
                n[0]++;
                if (every != null && System.nanoTime() >= nextProgress[0]) {
                    double secs = (System.nanoTime() - start) / 1e9;
                    progress.accept(String.format("replay: %s sent=%d rate=%.0f/s elapsed=%.0fs", topic, n[0], n[0] / secs, secs));
                    nextProgress[0] += every.toNanos();
                }
            });
        }
        return n[0];
    }
}
