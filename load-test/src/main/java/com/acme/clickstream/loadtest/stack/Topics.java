package com.acme.clickstream.loadtest.stack;

import java.util.List;
import java.util.Map;

/** The pipeline's topics (contract, "Topics") and how the local stack creates them. */
public record Topics(String events, String users, String pages, String sessions, String dlq, String late,
                     int eventPartitions) {

    public static final String COMPACT = "compact";

    public static Topics defaults(int eventPartitions) {
        return new Topics("clickstream.events", "clickstream.users", "clickstream.pages",
                "clickstream.sessions", "clickstream.events.dlq", "clickstream.events.late", eventPartitions);
    }

    /** Name, partitions, configs of every topic; the compacted ones are the enrichment tables. */
    public List<Spec> specs() {
        Map<String, String> compacted = Map.of("cleanup.policy", COMPACT);
        // One partition count for all: a table joined as a KTable must be co-partitioned with the events.
        return List.of(
                new Spec(events, eventPartitions, Map.of()),
                new Spec(users, eventPartitions, compacted),
                new Spec(pages, eventPartitions, compacted),
                new Spec(sessions, eventPartitions, Map.of()),
                new Spec(dlq, eventPartitions, Map.of()),
                new Spec(late, eventPartitions, Map.of()));
    }

    public record Spec(String name, int partitions, Map<String, String> configs) {}
}
