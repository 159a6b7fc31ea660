package com.acme.clickstream.flink.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The sink benchmark (not a test) on this machine: starts a Kafka broker and PostgreSQL (devstack, fsync and
 * synchronous_commit on), writes {@code --sessions} sessions to a topic, and runs {@link SinkBenchmark} at each
 * {@code --parallelism} (comma-separated), the exactly-once sink at each {@code --batch} size and the plain sink at
 * each {@code --plain-batches} size (comma-separated), each counting with its best. Prints per
 * parallelism {@code xa_rows_per_s=N jdbc_rows_per_s=N ratio=X}.
 *
 * <pre>mvn -pl flink-sink-job -am -Pbench -DskipTests verify [-Dbench.sessions=2000000]</pre>
 */
public final class SinkBenchmarkMain {
    private SinkBenchmarkMain() {}

    private static List<Long> rounded(List<Double> rates) {
        return rates.stream().map(Math::round).toList();
    }

    private static List<String> medians(Map<Integer, Double> byBatch) {
        return byBatch.entrySet().stream().map(e -> e.getKey() + ":" + Math.round(e.getValue())).toList();
    }

    private static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        int sessions = 2_000_000;
        List<Integer> parallelisms = List.of(1, 2);
        List<Integer> plainBatches = List.of(1000, 5000);
        List<Integer> batches = List.of(1000);
        int rounds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--parallelism" -> parallelisms = ints(args[i + 1]);
                case "--plain-batches" -> plainBatches = ints(args[i + 1]);
                case "--batch" -> batches = ints(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        KafkaBroker kafka = TestServers.kafka();
        Database db = Database.create("flink_bench");
        // The embedded server defaults to synchronous_commit off; the benchmark compares durable commits.
        db.execute("alter database " + db.name() + " set synchronous_commit = on");
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
        System.out.printf("produced %d sessions in %d ms; machine: %d cores, %s; PostgreSQL fsync=%s "
                        + "synchronous_commit=%s%n", sessions, (System.nanoTime() - produceStart) / 1_000_000,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                db.strings("show fsync").get(0), db.strings("show synchronous_commit").get(0));

        List<String> summary = new ArrayList<>();
        for (int parallelism : parallelisms) {
            SinkJobConfig config = SinkJobConfig.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic)
                    .jdbcUrl(db.jdbcUrl()).parallelism(parallelism)
                    .checkpointInterval(Duration.ofSeconds(1)).build();
            SinkBenchmark.Result result = SinkBenchmark.run(config, rounds, batches, plainBatches);
            String line = String.format("parallelism=%d rows=%d checkpoint_interval=%s "
                            + "exactly_once_medians_by_batch=%s best_exactly_once_batch=%d "
                            + "plain_medians_by_batch=%s best_plain_batch=%d rounds xa=%s jdbc=%s %s", parallelism,
                    result.rows(), config.checkpointInterval(), medians(result.xaMedianByBatchSize()),
                    result.xaBatchSize(), medians(result.jdbcMedianByBatchSize()), result.jdbcBatchSize(),
                    rounded(result.xaRounds()), rounded(result.jdbcRounds()), result.line());
            System.out.println(line);
            summary.add(line);
        }
        System.out.println("SUMMARY");
        summary.forEach(System.out::println);
        System.exit(0);
    }
}
