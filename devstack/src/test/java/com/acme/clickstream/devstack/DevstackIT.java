package com.acme.clickstream.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevstackIT {

    @Test
    void kafkaKeepsCommittedTransactionsAcrossABrokerRestart(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0)) {
            broker.createTopic("t", 2);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "devstack-test");
            try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("t", "k", "v1"));
                producer.commitTransaction();
            }
            broker.stop();
            broker.start();

            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "devstack-test");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("t"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                List<String> values = new java.util.ArrayList<>();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                }
                assertThat(values).containsExactly("v1");
            }
        }
    }

    @Test
    void postgresIsXaReadyMigratedAndKeepsDataAcrossARestart(@TempDir Path dir) throws Exception {
        try (Postgres pg = Postgres.start(dir.resolve("data"), dir.resolve("work"), 0, 8)) {
            assertThat(Migrations.apply(pg.dataSource())).isEqualTo(6); // V1-V6 of the schema module
            try (Connection c = pg.dataSource().getConnection(); var s = c.createStatement()) {
                s.execute("insert into sessions values ('s1','u1','2026-11-24T10:00:00Z','2026-11-24T10:01:00Z',"
                        + "60000,2,1,0,0,'/','/',null,null,null,null,null,null,false,'2026-11-24T10:40:00Z')");
                try (ResultSet rs = s.executeQuery("show max_prepared_transactions")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("8");
                }
            }
            pg.stop();
            pg.start();
            assertThat(Migrations.apply(pg.dataSource())).isZero();
            try (Connection c = pg.dataSource().getConnection(); var s = c.createStatement();
                 ResultSet rs = s.executeQuery("select sessions, users, bounce_rate from bi_daily_sessions")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
                assertThat(rs.getLong(2)).isEqualTo(1);
                assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("0");
            }
        }
    }
}
