package com.acme.clickstream.loadtest.bench;

import java.nio.file.Path;
import java.time.Duration;

import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.stack.Artifacts;

/**
 * @param artifacts          the built sessionizer and Flink job
 * @param reportDir          fresh directory: report.html, result.txt, the recorded events and the stack's data
 * @param rate               events/s offered by the generator (set it above what the pipeline sustains to measure capacity)
 * @param eventPartitions    partitions of the events topic
 * @param rules              session rules of the sessionizer and of verify; short gaps keep the tail after the load short
 *                           (after the last event, sessions close by idle advance in wall-clock time)
 * @param idleAdvanceAfter   the sessionizer's idle-advance-after
 * @param settleTimeout      how long after the load every expected row must be visible
 * @param sinkBatch          batch size of the sink baselines
 */
public record BenchConfig(Artifacts artifacts, Path reportDir, double rate, Duration duration, int users, long seed,
                          int eventPartitions, Duration checkpointInterval, SessionRules rules, Duration idleAdvanceAfter,
                          Duration settleTimeout, int sinkBatch) {}
