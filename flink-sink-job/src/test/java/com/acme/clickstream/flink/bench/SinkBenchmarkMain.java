package com.acme.clickstream.flink.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Sessions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sink benchmark (not a test) on this machine: starts a Kafka broker and PostgreSQL (devstack), writes
 * {@code --sessions} sessions to a topic, and runs {@link SinkBenchmark}. Prints
 * {@code xa_rows_per_s=N jdbc_rows_per_s=N ratio=X}.
 *
 * <pre>mvn -pl flink-sink-job -am -Pbench -DskipTests verify [-Dbench.sessions=200000]</pre>
 */
public final class SinkBenchmarkMain {
    private SinkBenchmarkMain() {}

    private static java.util.List<Long> rounded(java.util.List<Double> rates) {
        return rates.stream().map(Math::round).toList();
    }

    public static void main(String[] args) throws Exception {
        int sessions = 200_000;
        int parallelism = 2;
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--parallelism" -> parallelism = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        KafkaBroker kafka = TestServers.kafka();
        Database db = Database.create("flink_bench");
        String topic = "bench.sessions";
        kafka.createTopic(topic, 4);
        long produceStart = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < sessions; i++) {
                SessionRow row = Sessions.row("bench", i);
                producer.send(new ProducerRecord<>(topic, row.userId().getBytes(StandardCharsets.UTF_8),
                        Sessions.bytes(row)));
            }
            producer.flush();
        }
        System.out.printf("produced %d sessions in %d ms; machine: %d cores, %s%n", sessions,
                (System.nanoTime() - produceStart) / 1_000_000, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        SinkJobConfig config = SinkJobConfig.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic)
                .jdbcUrl(db.jdbcUrl()).parallelism(parallelism).checkpointInterval(Duration.ofSeconds(1)).build();
        SinkBenchmark.Result result = SinkBenchmark.run(config, rounds);
        System.out.printf("rows=%d parallelism=%d batch=%d checkpoint_interval=%s%n", result.rows(), parallelism,
                config.jdbcBatchSize(), config.checkpointInterval());
        System.out.printf("rounds xa=%s jdbc=%s%n", rounded(result.xaRounds()), rounded(result.jdbcRounds()));
        System.out.println(result.line());
        System.exit(0);
    }
}
