package com.acme.clickstream.loadtest.verify;

import java.util.List;
import java.util.Map;

import com.acme.clickstream.loadtest.model.SessionRow;

/**
 * What the pipeline must produce for the recorded input, by the reference implementation.
 *
 * @param valid          valid events read (including duplicates and too-late ones)
 * @param inSessions     events counted in sessions = valid − duplicates − late
 * @param lateEvents     "user_id/event_id" of each too-late event, in processing order
 * @param invalidValues  value bytes of each invalid record (what the DLQ must hold)
 * @param invalidReasons invalid records by reason, for the report
 * @param partitionMismatches correctly keyed records whose recorded partition differs from the computed one
 * @param enrichment     which users and pages changed during the load and the values they held (null = none changed:
 *                       the sessions' enrichment is exact)
 */
public record Expectation(List<SessionRow> sessions, long valid, long inSessions, long duplicates,
                          List<String> lateEvents, long nulls, List<byte[]> invalidValues,
                          Map<String, Long> invalidReasons, long partitionMismatches,
                          EnrichmentHistory enrichment) {

    public Expectation withEnrichment(EnrichmentHistory history) {
        return new Expectation(sessions, valid, inSessions, duplicates, lateEvents, nulls, invalidValues, invalidReasons,
                partitionMismatches, history);
    }

    public long late() {
        return lateEvents.size();
    }

    public long invalid() {
        return invalidValues.size();
    }
}
