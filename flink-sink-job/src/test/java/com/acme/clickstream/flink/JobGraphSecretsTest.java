package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * What the client submits holds no secret: the job is wired as {@code SessionSinkMain} wires it (Kafka source with
 * SCRAM credentials, exactly-once sink, dead-letter sink) from the environment of k8s/flink.yaml with a JDBC
 * password and a SASL password of their own, and neither occurs in the Java-serialized job graph (operators,
 * user code, execution config) nor in the serialized user code of the stream graph.
 */
class JobGraphSecretsTest {

    @Test
    void theSubmittedJobGraphHoldsNeitherTheJdbcNorTheSaslPassword() throws Exception {
        String jdbcPassword = "jdbc-" + UUID.randomUUID();
        String saslPassword = "sasl-" + UUID.randomUUID();
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", "clickstream-kafka-kafka-bootstrap.clickstream.svc:9093");
        environment.put("JDBC_URL", "jdbc:postgresql://db:5432/clickstream");
        environment.put("JDBC_USER", "clickstream_sink");
        environment.put("JDBC_PASSWORD", jdbcPassword);
        environment.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        environment.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        environment.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"clickstream-flink-sink\" password=\"" + saslPassword + "\";");
        environment.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.crt");
        SinkJobConfig config = SinkJobConfig.fromArgs(new String[0], environment);

        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        new SessionSinkJob(config).build(env, SessionSources.kafka(config), SessionSinks.exactlyOnce(config));

        StreamGraph streamGraph = env.getStreamGraph();
        JobGraph jobGraph = streamGraph.getJobGraph();
        byte[] submitted = InstantiationUtil.serializeObject(jobGraph);
        assertThat(jobGraph.getNumberOfVertices()).isPositive();
        assertNoSecret("the job graph", submitted, jdbcPassword, saslPassword);

        // The control: the same search finds what the job graph does carry, the references included.
        for (String carried : List.of("clickstream_sink", "clickstream-flink-sink", "${env:KAFKA_SASL_JAAS_CONFIG}",
                "JDBC_PASSWORD")) {
            assertThat(contains(submitted, carried.getBytes(StandardCharsets.UTF_8))).as(carried).isTrue();
        }
    }

    private static void assertNoSecret(String what, byte[] bytes, String... secrets) {
        List<String> found = new ArrayList<>();
        for (String secret : secrets) {
            // Java serialization writes strings in modified UTF-8 (the UTF-8 bytes for ASCII); also UTF-16 forms.
            for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE)) {
                if (contains(bytes, secret.getBytes(charset))) {
                    found.add(secret.substring(0, secret.indexOf('-')) + " password (" + charset + ")");
                }
            }
        }
        assertThat(found).as("secrets in %s", what).isEmpty();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
