package com.acme.clickstream.loadtest.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a generator run sent (the records themselves are in the files under outDir).
 *
 * @param events     records sent to the events topic
 * @param byKind     of which: normal, duplicate, out_of_order, late, miskeyed, invalid, null
 * @param enrichmentChanges records sent to the users and pages topics between the events, by kind (profile_update,
 *                   profile_tombstone, page_update, page_tombstone); empty when off. users and pages count the records
 *                   sent before the events
 * @param firstEventTime event time of the first record, lastEventTime of the last
 * @param maxBehind  how far the sending fell behind its schedule at worst. Event time follows the schedule,
 *                   the pipeline's idle advance follows the wall clock: a lag near idle-advance-after (while the
 *                   events topic gets no appends) can close sessions early, and verify would then differ
 */
public record SentLog(Path outDir, int partitions, long events, Map<String, Long> byKind, long users, long pages,
                      Map<String, Long> enrichmentChanges, Instant firstEventTime, Instant lastEventTime, Duration elapsed, Duration maxBehind) {

    public double eventsPerSecond() {
        return elapsed.toMillis() == 0 ? 0 : events * 1000.0 / elapsed.toMillis();
    }

    public String summary() {
        return String.format("generate: sent events=%d %s users=%d pages=%d%s partitions=%d event_time=%s..%s in %.1fs (%.0f/s, at worst %.1fs behind schedule) -> %s",
                events, byKind, users, pages,
                enrichmentChanges.isEmpty() ? "" : " enrichment_changes=" + enrichmentChanges, partitions, firstEventTime, lastEventTime, elapsed.toMillis() / 1000.0,
                eventsPerSecond(), maxBehind.toMillis() / 1000.0, outDir);
    }
}
