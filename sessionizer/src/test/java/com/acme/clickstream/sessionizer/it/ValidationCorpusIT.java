package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.acme.clickstream.sessionizer.model.ValidationCorpusTest;

/**
 * The adversarial validation corpus ({@code docs/validation-corpus.jsonl}: lower-case timestamps, duplicate keys,
 * surrogates, NUL, deep nesting, huge values, ...) replayed through the running service on a real broker: every
 * invalid case lands in the DLQ with the corpus' reason code and its source offset, every valid one is counted as
 * accepted or late, and none of them takes the service down. The unit test holds the validator to the same file;
 * this one shows that the service as deployed (process, Kafka Streams, serdes, DLQ headers) gives the same outcome.
 *
 * <p>Two rewrites, byte for byte elsewhere: each case gets its own event and user id (the corpus reuses {@code e1}
 * and {@code u1}, which the service would count as duplicates of each other), and the future-timestamp case is moved
 * to the year 2999, since the running service judges it by the real wall clock, not the corpus' fixed one.
 */
class ValidationCorpusIT {

    @Test
    void everyCaseOfTheCorpusComesOutOfTheServiceAsTheCorpusSays() throws Exception {
        Map<String, String> topics = Servers.createTopics("corpus.");
        String eventsTopic = topics.get("sessionizer.topics.events");
        Map<String, String> env = new HashMap<>(Servers.asEnv(topics));
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", "sessionizer-corpus-it");
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("corpus-state").toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");

        List<ValidationCorpusTest.Case> cases = ValidationCorpusTest.corpus().toList();
        Map<String, String> expectedInvalid = new TreeMap<>();
        long valid = 0;
        try (AppProcess app = AppProcess.start("corpus", env);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < cases.size(); i++) {
                ValidationCorpusTest.Case c = cases.get(i);
                byte[] value = rewritten(c, i);
                RecordMetadata md = producer.send(new ProducerRecord<>(eventsTopic, null, value)).get();
                if (c.expect().equals("valid")) {
                    valid++;
                } else {
                    expectedInvalid.put(md.partition() + "@" + md.offset(), c.expect() + " (" + c.name() + ")");
                }
            }
            long expectedValid = valid;
            // A bounded wait until every record has an outcome the service reports (a DLQ record or a count), then
            // the exact comparison, which names the case that came out otherwise.
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> dlq(topics.get("sessionizer.topics.dlq"), cases).size()
                            + app.counter("sessionizer_events_accepted_total")
                            + app.counter("sessionizer_events_late_total")
                            + app.counter("sessionizer_events_duplicate_total") >= cases.size());

            assertThat(dlq(topics.get("sessionizer.topics.dlq"), cases)).isEqualTo(expectedInvalid);
            assertThat(app.counter("sessionizer_events_accepted_total")
                    + app.counter("sessionizer_events_late_total")).as("valid cases").isEqualTo(expectedValid);
            assertThat(app.counter("sessionizer_events_duplicate_total")).isZero();
            assertThat(app.get("/q/health/live").status()).isEqualTo(200);
        }
        // The corpus as it stands (45 cases): a case added there is counted here on purpose.
        assertThat(expectedInvalid).hasSize(33);
        assertThat(valid).isEqualTo(12);
    }

    /** The case's bytes with its own ids (and the future case in 2999); every other byte as in the corpus. */
    static byte[] rewritten(ValidationCorpusTest.Case c, int i) {
        byte[] v = replace(c.value(), "\"e1\"", "\"corpus-e" + i + "\"");
        v = replace(v, "\"u1\"", "\"corpus-u" + i + "\"");
        return c.expect().equals("future_ts") ? replace(v, "\"2026-", "\"2999-") : v;
    }

    private static byte[] replace(byte[] value, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.US_ASCII);
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length + 16);
        int i = 0;
        while (i < value.length) {
            if (i + f.length <= value.length && java.util.Arrays.equals(value, i, i + f.length, f, 0, f.length)) {
                out.write(t, 0, t.length);
                i += f.length;
            } else {
                out.write(value[i++]);
            }
        }
        return out.toByteArray();
    }

    /** The DLQ as source partition@offset to reason code (and the case's name, for a readable failure). */
    private static Map<String, String> dlq(String topic, List<ValidationCorpusTest.Case> cases) {
        Map<String, String> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : Events.readCommitted(Servers.kafka().bootstrapServers(), topic,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            String source = header(r, "dlq.source.partition") + "@" + header(r, "dlq.source.offset");
            out.put(source, header(r, "dlq.reason.code") + " (" + caseName(r.value(), cases) + ")");
        }
        return out;
    }

    private static String caseName(byte[] value, List<ValidationCorpusTest.Case> cases) {
        for (int i = 0; i < cases.size(); i++) {
            if (java.util.Arrays.equals(rewritten(cases.get(i), i), value)) {
                return cases.get(i).name();
            }
        }
        return "not a case of the corpus";
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "(no " + name + ")" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Servers.kafka().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
