package com.acme.clickstream.loadtest.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.model.Topics;

/**
 * Everything a generator run depends on; the records are a pure function of it (apart from the
 * partitions and offsets the broker assigns).
 *
 * @param bootstrapServers Kafka; unused by {@link EventPlanner} alone
 * @param outDir           where events.jsonl, users.jsonl, pages.jsonl are written
 * @param rate             records per second sent to the events topic; also fixes event time:
 *                         record i has event time start + i / rate × timeScale
 * @param count            records to send to the events topic; 0 = use duration
 * @param duration         run length when count is 0; null with count 0 = until stopped
 * @param start            event time of the first record (keep it in the past: ts beyond the wall
 *                         clock + max-future-skew is invalid)
 * @param timeScale        event seconds per wall second (60 = a wall second is an event minute)
 * @param users            distinct user ids; activity is Zipf-skewed over them
 * @param products         product pages (besides home, search, cart, ... and category pages)
 * @param zipfExponent     skew of user activity and page popularity
 * @param rules            the sessionizer's settings: too-late, out-of-order and duplicate
 *                         records are placed so that their outcome under these rules is unambiguous
 * @param partitions       partitions of the events topic; 0 = ask the broker
 * @param lateBy           how far behind the current event time a too-late event is
 * @param meanThink        mean event-time gap between two events of a visit
 * @param progressEvery    progress line interval; null = none
 */
public record GeneratorConfig(String bootstrapServers, Topics topics, Path outDir, double rate, long count,
                              Duration duration, long seed, Instant start, double timeScale, int users, int products,
                              double zipfExponent, Ratios ratios, SessionRules rules, int partitions, Duration lateBy,
                              Duration meanThink, Duration progressEvery) {

    public static final Instant DEFAULT_START = Instant.parse("2026-11-24T00:00:00Z");

    public GeneratorConfig {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be > 0 (it also fixes event time)");
        }
        if (timeScale <= 0) {
            throw new IllegalArgumentException("time-scale must be > 0");
        }
        if (users < 10) {
            throw new IllegalArgumentException("users must be >= 10");
        }
        if (lateBy.toMillis() <= 2 * rules.closeAfterMs()) {
            throw new IllegalArgumentException("late-by must be well beyond inactivity gap + grace");
        }
    }

    public static GeneratorConfig defaults(String bootstrapServers, Path outDir) {
        return new GeneratorConfig(bootstrapServers, Topics.defaults(), outDir, 1000, 0, Duration.ofMinutes(1), 42,
                DEFAULT_START, 60, 5000, 300, 1.1, Ratios.defaults(), SessionRules.defaults(), 0,
                Duration.ofHours(6), Duration.ofSeconds(90), Duration.ofSeconds(5));
    }

    /** Records to send, or Long.MAX_VALUE for a run until stopped. */
    public long total() {
        if (count > 0) {
            return count;
        }
        return duration == null ? Long.MAX_VALUE : Math.round(rate * duration.toMillis() / 1000.0);
    }

    /** Event time of the record with the given index. */
    public long eventTimeMs(long index) {
        return start.toEpochMilli() + (long) Math.floor(index * timeScale * 1000.0 / rate);
    }

    public GeneratorConfig withCount(long n) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, n, null, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withRate(double r) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, r, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withSeed(long s) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, s, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withTopics(Topics t) {
        return new GeneratorConfig(bootstrapServers, t, outDir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withRatios(Ratios r) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, r, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withRules(SessionRules r) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, r, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withPartitions(int p) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, p, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withTime(Instant s, double scale) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, s, scale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withUsers(int u) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, start, timeScale, u,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withOutDir(Path dir) {
        return new GeneratorConfig(bootstrapServers, topics, dir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, progressEvery);
    }

    public GeneratorConfig withProgressEvery(Duration d) {
        return new GeneratorConfig(bootstrapServers, topics, outDir, rate, count, duration, seed, start, timeScale, users,
                products, zipfExponent, ratios, rules, partitions, lateBy, meanThink, d);
    }
}
