package com.acme.clickstream.loadtest.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a reconciliation. Expected numbers come from the reference implementation; the
 * lists hold one line per difference (all of them; {@link #summary} shows the first few).
 *
 * @param dlqRecords  records in the DLQ topic, or -1 when topics were not checked
 * @param lateRecords records in the late topic, or -1 when topics were not checked
 * @param sumEventCount sum(event_count) over the table
 */
public record VerifyReport(long expectedSessions, long actualRows, long validEvents, long eventsInSessions,
                           long duplicates, long late, long invalid, long nulls, long sumEventCount,
                           long dlqRecords, long lateRecords,
                           List<String> missing, List<String> extra, List<String> duplicated, List<String> wrong,
                           List<String> accounting, Map<String, Long> invalidReasons) {

    public static final int LISTED = 20;

    public boolean ok() {
        return missing.isEmpty() && extra.isEmpty() && duplicated.isEmpty() && wrong.isEmpty() && accounting.isEmpty();
    }

    public List<String> differences() {
        List<String> all = new ArrayList<>();
        missing.forEach(s -> all.add("missing " + s));
        extra.forEach(s -> all.add("extra " + s));
        duplicated.forEach(s -> all.add("duplicated " + s));
        wrong.forEach(s -> all.add("wrong " + s));
        accounting.forEach(s -> all.add("accounting " + s));
        return all;
    }

    public String summary() {
        String counts = String.format("sessions=%d events=%d duplicates=%d late=%d invalid=%d null=%d",
                expectedSessions, eventsInSessions, duplicates, late, invalid, nulls);
        if (ok()) {
            return "verify: OK " + counts;
        }
        StringBuilder b = new StringBuilder(String.format(
                "verify: FAILED missing=%d extra=%d duplicated=%d wrong=%d accounting=%d (expected %s; table rows=%d sum(event_count)=%d dlq=%d late_topic=%d)",
                missing.size(), extra.size(), duplicated.size(), wrong.size(), accounting.size(), counts, actualRows,
                sumEventCount, dlqRecords, lateRecords));
        List<String> diffs = differences();
        diffs.stream().limit(LISTED).forEach(d -> b.append("\n  ").append(d));
        if (diffs.size() > LISTED) {
            b.append("\n  ... and ").append(diffs.size() - LISTED).append(" more");
        }
        return b.toString();
    }
}
