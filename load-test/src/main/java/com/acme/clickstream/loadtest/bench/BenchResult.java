package com.acme.clickstream.loadtest.bench;

import java.nio.file.Path;

/**
 * The bench's figures; {@link #resultLine} is the one line the bench ends with. Like events per second, the latency
 * percentiles p50/p99/max are those of the steady state: the rows whose session became final in the second half of
 * the load or after it; {@code allP99Ms}/{@code allMaxMs} are those of every row of the run, the start included.
 * xa/jdbc rows per second come from the Flink job's sink benchmark (through the job's sinks); the direct ones from
 * plain JDBC writes.
 */
public record BenchResult(long eventsSent, double sentPerSecond, double eventsPerSecond, double processedPerSecond,
                          long p50Ms, long p99Ms, long maxMs, long allP99Ms, long allMaxMs, long checkpointMs,
                          long checkpointDurationAvgMs,
                          double baselineKsEventsPerSecond, double xaRowsPerSecond, double jdbcRowsPerSecond,
                          double directXaRowsPerSecond, double directJdbcRowsPerSecond, int sinkBatch, boolean verified, String verifySummary, Path report) {

    public String resultLine() {
        return String.format("RESULT events_per_s=%d p99_close_to_row_ms=%d checkpoint_ms=%d baseline_ks_events_per_s=%d"
                        + " xa_rows_per_s=%d jdbc_rows_per_s=%d",
                Math.round(eventsPerSecond), p99Ms, checkpointMs, Math.round(baselineKsEventsPerSecond),
                Math.round(xaRowsPerSecond), Math.round(jdbcRowsPerSecond));
    }
}
