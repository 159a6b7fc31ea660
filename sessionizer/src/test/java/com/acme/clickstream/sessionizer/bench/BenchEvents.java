package com.acme.clickstream.sessionizer.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic synthetic clickstream for the throughput mains: ~2 % out of order, ~1 % exact resends. */
final class BenchEvents {

    private BenchEvents() {
    }

    /** @return [key, value] pairs; event time advances ~100 ms per event from t0. */
    static List<byte[][]> generate(int events, int users, long t0) {
        Random random = new Random(42);
        List<byte[][]> records = new ArrayList<>(events);
        long ts = t0;
        for (int i = 0; i < events; i++) {
            if (i > 100 && random.nextInt(100) == 0) {
                records.add(records.get(i - 1 - random.nextInt(100)));   // a producer's resend
                continue;
            }
            ts += random.nextInt(200);
            long eventTs = random.nextInt(50) == 0 ? ts - random.nextInt(600_000) : ts;
            String user = "user-" + random.nextInt(users);
            String type = switch (random.nextInt(10)) {
                case 0 -> "purchase";
                case 1, 2 -> "click";
                default -> "page_view";
            };
            String json = "{\"event_id\":\"evt-" + i + "\",\"user_id\":\"" + user + "\",\"ts\":" + eventTs
                    + ",\"type\":\"" + type + "\",\"url\":\"https://shop.example.com/p/" + random.nextInt(500)
                    + "?ref=x\",\"amount\":" + (random.nextInt(10000) / 100.0)
                    + ",\"utm_source\":\"google\",\"utm_medium\":\"cpc\",\"user_agent\":\"Mozilla/5.0\"}";
            records.add(new byte[][]{user.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)});
        }
        return records;
    }
}
