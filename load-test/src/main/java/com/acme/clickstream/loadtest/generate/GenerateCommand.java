package com.acme.clickstream.loadtest.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

import com.acme.clickstream.loadtest.SessionRuleOptions;
import com.acme.clickstream.loadtest.KafkaOptions;
import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Sends users, pages, then clickstream events at a rate, and records everything sent under --out.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;
    @Option(names = "--out", defaultValue = "loadtest-data", description = "directory for events.jsonl, users.jsonl, pages.jsonl")
    Path out;
    @Option(names = "--rate", defaultValue = "1000", description = "events per second (also fixes event time)")
    double rate;
    @Option(names = "--duration", description = "run length, e.g. PT5M (default PT1M unless --count is given)")
    Duration duration;
    @Option(names = "--count", defaultValue = "0", description = "events to send instead of a duration")
    long count;
    @Option(names = "--forever", description = "run until stopped (or until event time reaches the wall clock)")
    boolean forever;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--start", defaultValue = "2026-11-24T00:00:00Z", description = "event time of the first event")
    Instant start;
    @Option(names = "--time-scale", defaultValue = "60", description = "event seconds per wall second")
    double timeScale;
    @Option(names = "--users", defaultValue = "5000")
    int users;
    @Option(names = "--products", defaultValue = "300")
    int products;
    @Option(names = "--zipf", defaultValue = "1.1", description = "skew of user activity and page popularity")
    double zipf;
    @Option(names = "--dup-ratio", defaultValue = "0.02")
    double dupRatio;
    @Option(names = "--ooo-ratio", defaultValue = "0.05")
    double oooRatio;
    @Option(names = "--late-ratio", defaultValue = "0.01")
    double lateRatio;
    @Option(names = "--bad-ratio", defaultValue = "0.01")
    double badRatio;
    @Option(names = "--miskeyed-ratio", defaultValue = "0.01")
    double miskeyedRatio;
    @Option(names = "--null-ratio", defaultValue = "0.005")
    double nullRatio;
    @Option(names = "--late-into-session-ratio", defaultValue = "0",
            description = "too-late events that would join or extend a user's final session")
    double lateIntoSessionRatio;
    @Option(names = "--stale-dup-ratio", defaultValue = "0",
            description = "copies of events up to 3 x the inactivity gap old (often of a final session)")
    double staleDupRatio;
    @Option(names = "--enrichment-change-ratio", defaultValue = "0",
            description = "profile and page updates and tombstones sent between the events, per event")
    double enrichmentChangeRatio;
    @Option(names = "--marathon-users", defaultValue = "0",
            description = "users who click without a pause for the whole run: sessions cut at the max duration")
    int marathonUsers;
    @Option(names = "--partitions", defaultValue = "0", description = "partitions of the events topic; 0 = ask the broker")
    int partitions;
    @Option(names = "--late-by", defaultValue = "PT6H", description = "how far behind event time too-late events are")
    Duration lateBy;
    @Option(names = "--mean-think", defaultValue = "PT90S", description = "mean event time between a visit's events")
    Duration meanThink;
    @Option(names = "--progress-every", defaultValue = "PT5S")
    Duration progressEvery;
    @Mixin
    SessionRuleOptions ruleOptions;

    @Override
    public Integer call() {
        Duration d = forever || count > 0 ? null : duration != null ? duration : Duration.ofMinutes(1);
        Topics topics = kafka.topics();
        GeneratorConfig config = new GeneratorConfig(kafka.bootstrapServers, topics, out, rate, count, d, seed, start,
                timeScale, users, products, zipf,
                new Ratios(dupRatio, oooRatio, lateRatio, badRatio, miskeyedRatio, nullRatio, lateIntoSessionRatio,
                        staleDupRatio).withEnrichmentChanges(enrichmentChangeRatio)
                        .withMarathonUsers(marathonUsers), ruleOptions.rules(),
                partitions, lateBy, meanThink, progressEvery);
        Generator.run(config, System.out::println);
        return 0;
    }
}
