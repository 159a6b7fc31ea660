package com.acme.clickstream.sessionizer.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark main (not a test): validation of the capacity benchmark's events, the tree validator alone against
 * {@code validate} (the streaming pass, the tree only for what it does not accept), alternating rounds in one JVM,
 * CPU time of this thread per event. In the model package because the tree path is package-private.
 *
 * <pre>java -cp ... com.acme.clickstream.sessionizer.model.ValidatorThroughput 500000 6   # events rounds</pre>
 */
public final class ValidatorThroughput {

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        long now = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
        List<byte[]> values = events(events, now - Duration.ofHours(4).toMillis());
        EventValidator validator = new EventValidator(Duration.ofHours(1));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] tree = new double[rounds];
        double[] streaming = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            // Alternating which goes first, so that a load spike does not always fall on the same side.
            for (int side = 0; side < 2; side++) {
                boolean treeSide = (round + side) % 2 == 0;
                long valid = 0;
                long cpu = mx.getCurrentThreadCpuTime();
                for (byte[] v : values) {
                    ValidationResult r = treeSide ? validator.validateTree(v, now, true) : validator.validate(v, now, true);
                    if (r instanceof ValidationResult.Valid) {
                        valid++;
                    }
                }
                double nsPerEvent = (mx.getCurrentThreadCpuTime() - cpu) / (double) values.size();
                if (valid != values.size()) {
                    throw new IllegalStateException("only " + valid + " of " + values.size() + " valid");
                }
                (treeSide ? tree : streaming)[round] = nsPerEvent;
            }
            System.out.printf("round %d tree_ns_per_event=%.0f streaming_ns_per_event=%.0f ratio=%.2f%n", round + 1,
                    tree[round], streaming[round], tree[round] / streaming[round]);
        }
        // The first round pays for compilation: medians of the others.
        double t = median(tree, 1);
        double s = median(streaming, 1);
        System.out.printf("VALIDATE events=%d rounds=%d tree_ns_per_event=%.0f streaming_ns_per_event=%.0f ratio=%.2f%n",
                events, rounds - 1, t, s, t / s);
    }

    private static double median(double[] xs, int skip) {
        double[] rest = java.util.Arrays.copyOfRange(xs, skip, xs.length);
        java.util.Arrays.sort(rest);
        return rest.length % 2 == 1 ? rest[rest.length / 2] : (rest[rest.length / 2 - 1] + rest[rest.length / 2]) / 2;
    }

    /** The shape of the capacity benchmark's events (bench.Capacity#preload). */
    private static List<byte[]> events(int n, long t0) {
        Random random = new Random(42);
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        List<byte[]> values = new ArrayList<>(n);
        long ts = t0;
        for (int i = 0; i < n; i++) {
            ts += random.nextInt(5);
            String type = switch (random.nextInt(10)) {
                case 0 -> "purchase";
                case 1, 2 -> "click";
                default -> "page_view";
            };
            String json = "{\"event_id\":\"evt-" + i + "\",\"user_id\":\"user-" + random.nextInt(100_000)
                    + "\",\"ts\":\"" + iso.format(Instant.ofEpochMilli(ts)) + "\",\"type\":\"" + type
                    + "\",\"url\":\"https://shop.example.com/p/" + random.nextInt(500) + "?ref=mail\","
                    + (type.equals("purchase") ? "\"amount\":" + (random.nextInt(10000) / 100.0) + "," : "")
                    + "\"referrer\":\"https://www.google.com/\",\"utm_source\":\"google\",\"utm_medium\":"
                    + "\"cpc\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}";
            values.add(json.getBytes(StandardCharsets.UTF_8));
        }
        return values;
    }
}
