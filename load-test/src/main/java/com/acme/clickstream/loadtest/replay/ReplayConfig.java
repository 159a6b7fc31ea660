package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.time.Duration;

import com.acme.clickstream.loadtest.model.Topics;

/**
 * @param inDir         directory with events.jsonl, users.jsonl, pages.jsonl (any may be absent)
 * @param rate          events per second; 0 = as fast as possible (users and pages always are)
 * @param progressEvery progress line interval; null = none
 */
public record ReplayConfig(String bootstrapServers, Topics topics, Path inDir, double rate, Duration progressEvery) {}
