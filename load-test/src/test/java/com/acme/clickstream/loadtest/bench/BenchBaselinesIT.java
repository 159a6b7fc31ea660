package com.acme.clickstream.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.model.Topics;
import com.acme.clickstream.loadtest.verify.Expectation;
import com.acme.clickstream.loadtest.verify.Verifier;
import com.acme.clickstream.loadtest.verify.VerifyConfig;
import org.junit.jupiter.api.Test;

/** The bench's two baselines against the shared broker and PostgreSQL, on a small generated data set. */
class BenchBaselinesIT {

    @Test
    void kafkaStreamsAndSinkBaselinesProcessEverything() throws Exception {
        KafkaBroker kafka = TestServers.kafka();
        Postgres pg = TestServers.postgres();
        Topics topics = Topics.prefixed("benchit.");
        kafka.createTopic(topics.events(), 2);
        kafka.createTopic(topics.users(), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(topics.pages(), 1, Map.of("cleanup.policy", "compact"));
        pg.createDatabase("loadtest_benchit");
        Migrations.apply(pg.dataSource("loadtest_benchit"));
        Path tmp = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "benchit");
        GeneratorConfig config = GeneratorConfig.defaults(kafka.bootstrapServers(), tmp.resolve("data")).withTopics(topics)
                .withCount(2000).withRate(10_000).withTime(Instant.parse("2026-11-20T00:00:00Z"), 30_000).withUsers(200)
                .withProgressEvery(null);
        Generator.run(config, s -> {});

        KafkaStreamsBaseline.Result ks = KafkaStreamsBaseline.run(kafka.bootstrapServers(), topics.events(),
                Duration.ofMinutes(30), Duration.ofMinutes(2), tmp.resolve("state"), Duration.ofMinutes(2));
        assertThat(ks.events()).isEqualTo(2000);
        assertThat(ks.eventsPerSecond()).isPositive();
        assertThat(kafka.topics()).noneMatch(t -> t.startsWith("bench-baseline-") && t.endsWith("-counts"));

        Expectation expected = Verifier.expect(VerifyConfig.of(tmp.resolve("data"), pg.jdbcUrl("loadtest_benchit"), null)
                .withPartitions(2));
        SinkBaseline.Result sink = SinkBaseline.run(pg.jdbcUrl("loadtest_benchit"), expected.sessions(), 100);
        assertThat(sink.rows()).isEqualTo(expected.sessions().size()).isGreaterThan(100);
        assertThat(sink.jdbcRowsPerSecond()).isPositive();
        assertThat(sink.xaRowsPerSecond()).isPositive();
        try (Connection c = pg.dataSource("loadtest_benchit").getConnection();
             ResultSet rs = c.createStatement().executeQuery(
                     "select (select count(*) from pg_prepared_xacts), (select count(*) from pg_tables where tablename like 'bench_sink_%')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("prepared transactions left").isZero();
            assertThat(rs.getInt(2)).as("scratch tables left").isZero();
        }
    }
}
