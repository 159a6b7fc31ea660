package com.acme.clickstream.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void theEnvironmentOfTheManifestBecomesTheClientPropertiesTheJaasLineByReference() {
        SinkJobConfig c = SinkJobConfig.fromArgs(new String[0], clusterEnv());
        Properties p = c.kafkaSecurity().properties();
        // Each Kafka client reads KAFKA_SASL_JAAS_CONFIG where it is created (JobManager, TaskManagers).
        assertThat(p).containsOnly(Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("config.providers", "env"),
                Map.entry("config.providers.env.class", RequiredEnvVarConfigProvider.class.getName()),
                Map.entry("config.providers.env.param.allowlist.pattern", "\\QKAFKA_SASL_JAAS_CONFIG\\E"),
                Map.entry("sasl.jaas.config", "${env:KAFKA_SASL_JAAS_CONFIG}"), Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.location", "/etc/kafka-ca/ca.crt"));
    }

    @Test
    void aJaasFileBecomesADirectoryProviderReferenceAllowedOnlyItsDirectory(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sasl.jaas.config");
        Files.writeString(file, JAAS);
        Map<String, String> env = clusterEnv();
        env.remove("KAFKA_SASL_JAAS_CONFIG");
        env.put("KAFKA_SASL_JAAS_CONFIG_FILE", file.toString());
        Properties p = SinkJobConfig.fromArgs(new String[0], env).kafkaSecurity().properties();
        String d = dir.toAbsolutePath().toString();
        assertThat(p).containsEntry("config.providers", "dir")
                .containsEntry("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
                .containsEntry("config.providers.dir.param.allowed.paths", d)
                .containsEntry("sasl.jaas.config", "${dir:" + d + ":sasl.jaas.config}");
        assertThat(p.toString()).doesNotContain("s3cret");

        env.put("KAFKA_SASL_JAAS_CONFIG", JAAS);
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[0], env)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("both KAFKA_SASL_JAAS_CONFIG and --kafka-sasl-jaas-config-file/KAFKA_SASL_JAAS_CONFIG_FILE");
        env.remove("KAFKA_SASL_JAAS_CONFIG");
        env.put("KAFKA_SASL_JAAS_CONFIG_FILE", dir.resolve("missing").toString());
        assertThatThrownBy(() -> SinkJobConfig.fromArgs(new String[0], env)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("--kafka-sasl-jaas-config-file/KAFKA_SASL_JAAS_CONFIG_FILE")
                .hasMessageContaining(dir.resolve("missing").toAbsolutePath() + " cannot be read");
    }

    /** What a Kafka client makes of the properties: the value of the variable or the file, read when it is created. */
    @Test
    void theKafkaClientsResolveTheReferenceWhenTheyAreCreated(@TempDir Path dir) throws Exception {
        // A variable that this process has: the client reads it from its own environment.
        Properties fromEnv = new KafkaClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512",
                SecretRef.environment("x", "PATH"), null).properties();
        assertThat(consumerConfig(fromEnv).getPassword("sasl.jaas.config").value()).isEqualTo(System.getenv("PATH"));

        Path file = dir.resolve("jaas");
        Files.writeString(file, JAAS);
        Properties fromFile = new KafkaClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512",
                SecretRef.file("x", file.toString()), null).properties();
        assertThat(consumerConfig(fromFile).getPassword("sasl.jaas.config").value()).isEqualTo(JAAS);

        // The env provider may read no other variable than the one named: a reference to another one fails.
        Properties other = new KafkaClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512",
                SecretRef.environment("x", "PATH"), null).properties();
        other.setProperty("ssl.truststore.location", "${env:HOME}");
        assertThatThrownBy(() -> consumerConfig(other))
                .hasMessageContaining("the environment variable HOME is not in the config provider's allowlist");
    }

    private static ConsumerConfig consumerConfig(Properties security) {
        Properties p = new Properties();
        p.putAll(security);
        p.setProperty("bootstrap.servers", "127.0.0.1:9");
        p.setProperty("key.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        return new ConsumerConfig(p);
    }

    @Test
    void theSourceGetsThemAndKeepsItsOwnSettings() throws Exception {
        KafkaSource<?> source = SessionSources.kafka(SinkJobConfig.fromArgs(new String[0], clusterEnv()));
        Properties props = sourceProperties(source);
        assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "${env:KAFKA_SASL_JAAS_CONFIG}")
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
        assertThat(c.toString()).doesNotContain("s3cret").contains("saslJaasConfig=env:KAFKA_SASL_JAAS_CONFIG");
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

    /**
     * A JobManager or TaskManager started without the Secret: its Kafka clients (the source's enumerator creates an
     * admin client, its readers consumers) fail with the variable's name and the process, not with Kafka's parse
     * error of the unresolved reference ("Login module control flag is not available in the JAAS config").
     */
    @Test
    void aJaasVariableMissingWhereAKafkaClientIsCreatedIsNamed() {
        String unset = "CLICKSTREAM_TEST_JAAS_NEVER_SET";
        assertThat(System.getenv(unset)).isNull();
        Properties p = new KafkaClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512",
                SecretRef.environment(KafkaClientSecurity.WHAT, unset), null).properties();
        p.setProperty("bootstrap.servers", "localhost:9");
        String named = "the Kafka sasl.jaas.config: the environment variable " + unset + " is not set in this process";
        assertThatThrownBy(() -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).close()).hasStackTraceContaining(named);
        assertThatThrownBy(() -> org.apache.kafka.clients.admin.Admin.create(p).close())
                .hasStackTraceContaining(named);
    }
}
