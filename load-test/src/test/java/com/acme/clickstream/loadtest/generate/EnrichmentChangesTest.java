package com.acme.clickstream.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.replay.KafkaSend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Updates and tombstones of profiles and page infos sent between the events, at an exact share for a seed. */
class EnrichmentChangesTest {
    private static final int PARTITIONS = 3;

    @TempDir
    Path tmp;

    private GeneratorConfig config(long seed, long count, double share) {
        return GeneratorConfig.defaults("unused:9092", tmp).withTopics(com.acme.clickstream.loadtest.model.Topics.prefixed("pipe."))
                .withCount(count).withRate(1_000_000).withTime(Instant.parse("2026-11-20T00:00:00Z"), 60).withUsers(300)
                .withPartitions(PARTITIONS).withSeed(seed).withProgressEvery(null)
                .withRatios(Ratios.defaults().withEnrichmentChanges(share));
    }

    @Test
    void exactShareAlternatingTopicsEveryThirdATombstoneOnlyOfDescribedEntries() {
        EventPlanner planner = new EventPlanner(config(21, 10_000, 0.03), PARTITIONS);
        EnrichmentChanges changes = planner.enrichmentChanges();
        Set<String> described = planner.userRecords().stream().map(SentRecord::key).collect(Collectors.toSet());
        Set<String> describedPages = planner.pageRecords().stream().map(SentRecord::key).collect(Collectors.toSet());
        Map<String, Long> byKind = new java.util.TreeMap<>();
        for (long n = 1; n <= 10_000; n++) {
            for (EnrichmentChanges.Change c : changes.dueAfter(n)) {
                byKind.merge(c.record().kind(), 1L, Long::sum);
                assertThat(changes.planned()).isEqualTo((long) Math.floor(n * 0.03));
                assertThat(c.record().key()).isIn(c.users() ? described : describedPages);
                assertThat(c.record().value() == null).isEqualTo(c.record().kind().endsWith("tombstone"));
            }
            // At most what is due: floor(n × share) after n events, never ahead.
            assertThat(changes.planned()).isEqualTo((long) Math.floor(n * 0.03));
        }
        // 300 changes: 150 to each topic, a third of them (j % 3 == 2) tombstones, half of those on each topic.
        assertThat(byKind).isEqualTo(Map.of(EnrichmentChanges.PROFILE_UPDATE, 100L, EnrichmentChanges.PROFILE_TOMBSTONE, 50L,
                EnrichmentChanges.PAGE_UPDATE, 100L, EnrichmentChanges.PAGE_TOMBSTONE, 50L));
    }

    @Test
    void theGeneratorSendsThemBetweenTheEventsAndRecordsThemAfterTheRecordsOfBeforeTheLoadWithTheSameEvents()
            throws Exception {
        SentLog log = Generator.run(config(22, 5_000, 0.02), s -> {}, () -> false,
                new KafkaSend(null, GeneratorPipelineTest.producer(true)));
        assertThat(log.enrichmentChanges()).isEqualTo(Map.of(EnrichmentChanges.PROFILE_UPDATE, 33L,
                EnrichmentChanges.PROFILE_TOMBSTONE, 17L, EnrichmentChanges.PAGE_UPDATE, 34L,
                EnrichmentChanges.PAGE_TOMBSTONE, 16L));
        List<SentRecord> users = Jsonl.read(tmp.resolve(Jsonl.USERS));
        List<SentRecord> pages = Jsonl.read(tmp.resolve(Jsonl.PAGES));
        assertThat(users).hasSize((int) log.users() + 50);
        assertThat(pages).hasSize((int) log.pages() + 50);
        assertThat(users.subList((int) log.users(), users.size())).extracting(SentRecord::kind)
                .containsOnly(EnrichmentChanges.PROFILE_UPDATE, EnrichmentChanges.PROFILE_TOMBSTONE);
        List<SentRecord> events = Jsonl.read(tmp.resolve(Jsonl.EVENTS));
        // Sent after the first event, so that verify tells them from the records of before the load.
        assertThat(users.get((int) log.users()).sentAtMs()).isGreaterThanOrEqualTo(events.get(0).sentAtMs());
        assertThat(users.get((int) log.users() - 1).sentAtMs()).isLessThanOrEqualTo(events.get(0).sentAtMs());

        // The events do not depend on the changes: the same as a run without them.
        Path without = tmp.resolve("without");
        Generator.run(config(22, 5_000, 0).withOutDir(without), s -> {}, () -> false,
                new KafkaSend(null, GeneratorPipelineTest.producer(true)));
        assertThat(Jsonl.read(without.resolve(Jsonl.EVENTS)).stream().map(SentRecord::value).toList())
                .usingElementComparator(java.util.Arrays::compare)
                .containsExactlyElementsOf(events.stream().map(SentRecord::value).toList());
    }
}
