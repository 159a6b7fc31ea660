package com.acme.clickstream.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import com.acme.clickstream.loadtest.model.SentRecord;
import org.junit.jupiter.api.Test;

/**
 * Pins the planned records byte for byte: the digests were taken from the planner before its speed-ups
 * (issue 9), so a faster planner that plans anything differently (another random draw, another order)
 * fails here. A deliberate change of the generated data updates the digests.
 */
class EventPlannerDigestTest {

    /** The CLI's defaults at the bench rate (22 000/s): miskeyed users are scarce for the first half hour of event time. */
    @Test
    void recordsAtTheBenchRateAreUnchanged() throws Exception {
        GeneratorConfig c = GeneratorConfig.defaults("unused:9092", Path.of("unused")).withRate(22_000)
                .withCount(60_000).withPartitions(4);
        assertThat(digest(c, 4)).isEqualTo("2152139a588ac353c2247e4d1cf4cd2bcf9ce5be0924ddf40335210c1879b39a");
    }

    /** A rate so high that event time hardly moves (the throughput bench's "as fast as possible"). */
    @Test
    void recordsAtAMillionPerSecondAreUnchanged() throws Exception {
        GeneratorConfig c = GeneratorConfig.defaults("unused:9092", Path.of("unused")).withRate(1_000_000)
                .withCount(40_000).withPartitions(4).withSeed(7);
        assertThat(digest(c, 4)).isEqualTo("6756a8e0ee7137191344a99d1e072e7b1ff98f997e26a4d926f563ef4bad30bb");
    }

    /** The small test config of {@link EventPlannerTest}, over enough records for every odd kind. */
    @Test
    void recordsOfTheSmallConfigAreUnchanged() throws Exception {
        GeneratorConfig c = GeneratorConfig.defaults("unused:9092", Path.of("unused")).withSeed(42).withCount(20_000)
                .withRate(200).withUsers(500).withPartitions(3);
        assertThat(digest(c, 3)).isEqualTo("a2b8131f932bccbc0f0345aa1941e463635a6e9b7f1ea18ed8bbb2dc17cc252e");
    }

    /** SHA-256 over users, pages, then events: key, value and kind of each, length-prefixed. */
    static String digest(GeneratorConfig c, int partitions) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        EventPlanner p = new EventPlanner(c, partitions);
        update(md, p.userRecords());
        update(md, p.pageRecords());
        while (p.hasNext()) {
            update(md, p.next());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void update(MessageDigest md, List<SentRecord> records) {
        records.forEach(r -> update(md, r));
    }

    private static void update(MessageDigest md, SentRecord r) {
        field(md, r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8));
        field(md, r.value());
        field(md, r.kind().getBytes(StandardCharsets.UTF_8));
    }

    private static void field(MessageDigest md, byte[] b) {
        md.update(ByteBuffer.allocate(4).putInt(b == null ? -1 : b.length).array());
        if (b != null) {
            md.update(b);
        }
    }
}
