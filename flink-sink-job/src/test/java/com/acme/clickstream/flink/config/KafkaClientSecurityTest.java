package com.acme.clickstream.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;

/** The Kafka client settings of k8s/flink.yaml reach the job's Kafka source; none are set without them. */
class KafkaClientSecurityTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"clickstream-flink-sink\" password=\"s3cret\";";

    private static Map<String, String> clusterEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "clickstream-kafka-kafka-bootstrap.clickstream.svc:9093");
        env.put("JDBC_URL", "jdbc:postgresql://db:5432/clickstream");
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", JAAS);
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka-ca/ca.crt");
        return env;
    }

    @Test
    void theEnvironmentOfTheManifestBecomesTheClientProperties() {
        SinkJobConfig c = SinkJobConfig.fromArgs(new String[0], clusterEnv());
        Properties p = c.kafkaSecurity().properties();
        assertThat(p).containsOnly(Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", JAAS), Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.location", "/etc/kafka-ca/ca.crt"));
    }

    @Test
    void theSourceGetsThemAndKeepsItsOwnSettings() throws Exception {
        KafkaSource<?> source = SessionSources.kafka(SinkJobConfig.fromArgs(new String[0], clusterEnv()));
        Properties props = sourceProperties(source);
        assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/kafka-ca/ca.crt")
                .containsEntry("isolation.level", "read_committed").containsEntry("group.id", "clickstream-flink-sink");

        Map<String, String> local = new HashMap<>(clusterEnv());
        local.keySet().removeIf(k -> k.startsWith("KAFKA_S"));
        Properties plain = sourceProperties(SessionSources.kafka(SinkJobConfig.fromArgs(new String[0], local)));
        assertThat(plain.stringPropertyNames()).noneMatch(k -> k.startsWith("security.") || k.startsWith("sasl.")
                || k.startsWith("ssl."));
    }

    private static Properties sourceProperties(KafkaSource<?> source) throws ReflectiveOperationException {
        var f = KafkaSource.class.getDeclaredField("props");
        f.setAccessible(true);
        return (Properties) f.get(source);
    }

    @Test
    void theJaasLineHoldsAPasswordAndIsNeverAnArgumentNorShown() {
        SinkJobConfig c = SinkJobConfig.fromArgs(new String[0], clusterEnv());
        assertThat(c.toString()).doesNotContain("s3cret").contains("saslJaasConfig=(set)");
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[] {"--kafka-sasl-jaas-config", JAAS}, clusterEnv()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("KAFKA_SASL_JAAS_CONFIG")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void inconsistentSettingsStopTheStartNamingTheSetting() {
        Map<String, String> noJaas = clusterEnv();
        noJaas.remove("KAFKA_SASL_JAAS_CONFIG");
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[0], noJaas))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("KAFKA_SASL_JAAS_CONFIG");
        Map<String, String> plainWithCredentials = clusterEnv();
        plainWithCredentials.remove("KAFKA_SECURITY_PROTOCOL");
        plainWithCredentials.remove("KAFKA_SSL_TRUSTSTORE_LOCATION");
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[0], plainWithCredentials))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("would be ignored");
        Map<String, String> typo = clusterEnv();
        typo.put("KAFKA_SECURITY_PROTOCOL", "SASL_TLS");
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[0], typo))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("--kafka-security-protocol/KAFKA_SECURITY_PROTOCOL 'SASL_TLS'");
    }
}
