package com.acme.clickstream.loadtest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.SessionRow;
import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.model.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Generates into the shared test broker, plays the pipeline by hand (the expected rows into a table,
 * the expected DLQ and late records into their topics), and checks that verify passes on that and
 * reports exactly the difference once one row is made wrong: verify can fail.
 */
class GenerateVerifyIT {
    private static final int PARTITIONS = 3;

    @Test
    void verifyPassesOnTheExpectedStateAndPinpointsOneWrongRow() throws Exception {
        KafkaBroker kafka = TestServers.kafka();
        Postgres pg = TestServers.postgres();
        Topics topics = Topics.prefixed("gvit.");
        kafka.createTopic(topics.events(), PARTITIONS);
        kafka.createTopic(topics.users(), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(topics.pages(), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(topics.dlq(), 1);
        kafka.createTopic(topics.late(), 1);
        pg.createDatabase("loadtest_gvit");
        DataSource ds = pg.dataSource("loadtest_gvit");
        Migrations.apply(ds);

        Path out = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "gvit");
        SessionRules rules = SessionRules.defaults();
        // 3000 events in about 0.6 s covering 5 h of event time; partitions asked from the broker.
        GeneratorConfig config = GeneratorConfig.defaults(kafka.bootstrapServers(), out).withTopics(topics)
                .withCount(3000).withRate(5000).withTime(Instant.parse("2026-11-20T00:00:00Z"), 30_000)
                .withUsers(300).withRules(rules).withProgressEvery(null);
        SentLog log = Generator.run(config, s -> {});
        assertThat(log.events()).isEqualTo(3000);
        assertThat(log.partitions()).isEqualTo(PARTITIONS);
        List<SentRecord> events = Jsonl.read(out.resolve(Jsonl.EVENTS));
        assertThat(events).hasSize(3000);
        assertThat(events).allSatisfy(r -> assertThat(r.partition()).isBetween(0, PARTITIONS - 1));
        assertThat(Jsonl.read(out.resolve(Jsonl.USERS))).hasSize((int) log.users());

        VerifyConfig verify = VerifyConfig.of(out, pg.jdbcUrl("loadtest_gvit"), kafka.bootstrapServers())
                .withTopics(topics).withRules(rules);
        Expectation expected = Verifier.expect(verify);
        assertThat(expected.partitionMismatches()).isZero();
        assertThat(expected.duplicates()).isEqualTo(log.byKind().get("duplicate"));
        assertThat(expected.late()).isEqualTo(log.byKind().get("late"));
        assertThat(expected.invalid()).isEqualTo(log.byKind().get("invalid"));

        // The pipeline's part, by hand.
        insert(ds, expected.sessions());
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : expected.invalidValues()) {
                p.send(new ProducerRecord<>(topics.dlq(), null, v));
            }
            for (String late : expected.lateEvents()) {
                String[] ue = late.split("/", 2);
                String json = "{\"user_id\":\"" + ue[0] + "\",\"event_id\":\"" + ue[1] + "\"}";
                p.send(new ProducerRecord<>(topics.late(), ue[0].getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
            }
        }

        VerifyReport ok = Verifier.verify(verify);
        assertThat(ok.ok()).as(ok.summary()).isTrue();
        assertThat(ok.summary()).isEqualTo(String.format("verify: OK sessions=%d events=%d duplicates=%d late=%d invalid=%d null=%d",
                expected.sessions().size(), expected.inSessions(), expected.duplicates(), expected.late(),
                expected.invalid(), expected.nulls()));
        assertThat(ok.dlqRecords()).isEqualTo(expected.invalid());
        assertThat(ok.lateRecords()).isEqualTo(expected.late());

        SessionRow victim = expected.sessions().stream().filter(s -> s.country() != null).findFirst().orElseThrow();
        try (Connection c = ds.getConnection();
             PreparedStatement st = c.prepareStatement("update sessions set country = 'XX' where user_id = ? and session_start = ?")) {
            st.setString(1, victim.userId());
            st.setTimestamp(2, Timestamp.from(victim.sessionStart()));
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        VerifyReport wrong = Verifier.verify(verify);
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.differences()).containsExactly(
                "wrong " + victim.naturalKey() + ": country expected " + victim.country() + " was XX");
        assertThat(wrong.summary()).startsWith("verify: FAILED missing=0 extra=0 duplicated=0 wrong=1 accounting=0");
    }

    private static void insert(DataSource ds, List<SessionRow> rows) throws Exception {
        try (Connection c = ds.getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("truncate sessions");
            }
            try (PreparedStatement st = c.prepareStatement("insert into sessions values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                int i = 0;
                for (SessionRow s : rows) {
                    st.setString(1, "s-" + i++);
                    st.setString(2, s.userId());
                    st.setTimestamp(3, Timestamp.from(s.sessionStart()));
                    st.setTimestamp(4, Timestamp.from(s.sessionEnd()));
                    st.setLong(5, s.durationMs());
                    st.setInt(6, s.eventCount());
                    st.setInt(7, s.pageViews());
                    st.setInt(8, s.purchases());
                    st.setBigDecimal(9, s.revenue());
                    st.setString(10, s.landingPage());
                    st.setString(11, s.exitPage());
                    st.setString(12, s.landingCategory());
                    st.setString(13, s.country());
                    st.setString(14, s.segment());
                    st.setString(15, s.utmSource());
                    st.setString(16, s.utmMedium());
                    st.setString(17, s.utmCampaign());
                    st.setBoolean(18, s.isBounce());
                    st.setTimestamp(19, Timestamp.from(Instant.parse("2026-11-25T00:00:00Z")));
                    st.addBatch();
                }
                st.executeBatch();
            }
        }
    }

}
