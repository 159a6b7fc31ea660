package com.acme.clickstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaSecurityTest {

    @Test
    void withoutTheVariablesTheClientsKeepPlaintext() {
        assertThat(KafkaSecurity.with(Map.of("bootstrap.servers", "b:9092"), Map.of()))
                .containsExactly(Map.entry("bootstrap.servers", "b:9092"));
    }

    @Test
    void theVariablesOfTheManifestsBecomeClientProperties() {
        Map<String, Object> p = KafkaSecurity.with(Map.of("bootstrap.servers", "b:9093"), Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "x required;", "KAFKA_SSL_TRUSTSTORE_LOCATION", "/ca.crt", "KAFKA_SSL_TRUSTSTORE_TYPE", ""));
        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "x required;").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", "/ca.crt").hasSize(6);
    }
}
