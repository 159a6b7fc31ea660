package com.acme.clickstream.loadtest;

import java.util.HashMap;
import java.util.Map;

/**
 * Client security of {@code generate}, {@code replay} and {@code verify} against a cluster that requires it (the
 * Strimzi cluster of k8s/, as the KafkaUser clickstream-load-test), from the environment variables the sessionizer
 * and the Flink job read: {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}
 * (holds the password, hence no option), {@code KAFKA_SSL_TRUSTSTORE_LOCATION} (PEM). None set: PLAINTEXT.
 */
public final class KafkaSecurity {
    private KafkaSecurity() {}

    /** {@code base} plus the security settings of the process environment. */
    public static Map<String, Object> with(Map<String, Object> base) {
        return with(base, System.getenv());
    }

    static Map<String, Object> with(Map<String, Object> base, Map<String, String> env) {
        Map<String, Object> props = new HashMap<>(base);
        put(props, "security.protocol", env.get("KAFKA_SECURITY_PROTOCOL"));
        put(props, "sasl.mechanism", env.get("KAFKA_SASL_MECHANISM"));
        put(props, "sasl.jaas.config", env.get("KAFKA_SASL_JAAS_CONFIG"));
        String truststore = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION");
        if (truststore != null && !truststore.isBlank()) {
            props.put("ssl.truststore.type", "PEM");
            props.put("ssl.truststore.location", truststore.trim());
        }
        return props;
    }

    private static void put(Map<String, Object> props, String key, String value) {
        if (value != null && !value.isBlank()) {
            props.put(key, value.trim());
        }
    }
}
