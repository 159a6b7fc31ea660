package com.acme.clickstream.sessionizer.model;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Validation of one event, the first step of every record: {@code validate} (the service's path, the streaming pass)
 * against {@code tree} (the judge of every rejection: Jackson's tree with its strict duplicate check) on the same
 * events, those of the capacity benchmark's generator. Compare builds by the ratio of the two in one run, and by
 * the bytes allocated per event ({@code -prof gc}):
 * <pre>
 * java -cp &lt;test classpath&gt; org.openjdk.jmh.Main ValidatorBench -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ValidatorBench {

    /** A fixed wall clock, after every event's ts (no event is judged in the future). */
    static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();

    private final EventValidator validator = new EventValidator(Duration.ofHours(1));
    private byte[][] events;
    private int next;

    @Setup
    public void events() {
        Random random = new Random(42);
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        long ts = NOW - Duration.ofHours(2).toMillis();
        events = new byte[1024][];
        for (int i = 0; i < events.length; i++) {
            ts += random.nextInt(5);
            String type = switch (random.nextInt(10)) {
                case 0 -> "purchase";
                case 1, 2 -> "click";
                default -> "page_view";
            };
            // As Capacity's generator writes them.
            events[i] = ("{\"event_id\":\"evt-" + i + "\",\"user_id\":\"user-" + random.nextInt(100_000)
                    + "\",\"ts\":\"" + iso.format(Instant.ofEpochMilli(ts)) + "\",\"type\":\"" + type
                    + "\",\"url\":\"https://shop.example.com/p/" + random.nextInt(500) + "?ref=mail\","
                    + (type.equals("purchase") ? "\"amount\":" + (random.nextInt(10000) / 100.0) + "," : "")
                    + "\"referrer\":\"https://www.google.com/\",\"utm_source\":\"google\",\"utm_medium\":"
                    + "\"cpc\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private byte[] nextEvent() {
        byte[] e = events[next];
        next = (next + 1) & (events.length - 1);
        return e;
    }

    @Benchmark
    public ValidationResult validate() {
        return validator.validate(nextEvent(), NOW, true);
    }

    @Benchmark
    public ValidationResult tree() {
        return validator.validateTree(nextEvent(), NOW, true);
    }
}
