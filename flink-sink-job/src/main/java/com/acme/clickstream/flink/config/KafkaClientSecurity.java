package com.acme.clickstream.flink.config;

import java.io.Serializable;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * How the job's Kafka clients authenticate and verify the brokers: {@code security.protocol}, {@code sasl.mechanism},
 * {@code sasl.jaas.config} and a PEM trust store (the cluster CA). Unset, the clients speak PLAINTEXT as on the local
 * broker. The JAAS line holds a password: it comes only from the environment ({@value #JAAS_CONFIG_ENV}), never
 * from an argument, and {@link #toString()} does not show it.
 */
public record KafkaClientSecurity(String securityProtocol, String saslMechanism, String saslJaasConfig,
        String truststoreLocation) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String JAAS_CONFIG_ENV = "KAFKA_SASL_JAAS_CONFIG";
    public static final KafkaClientSecurity NONE = new KafkaClientSecurity(null, null, null, null);

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public KafkaClientSecurity {
        securityProtocol = blankToNull(securityProtocol);
        saslMechanism = blankToNull(saslMechanism);
        saslJaasConfig = blankToNull(saslJaasConfig);
        truststoreLocation = blankToNull(truststoreLocation);
        if (securityProtocol != null) {
            securityProtocol = securityProtocol.toUpperCase(Locale.ROOT);
            if (!PROTOCOLS.contains(securityProtocol)) {
                throw new InvalidConfigException("invalid " + Setting.KAFKA_SECURITY_PROTOCOL.label() + " '"
                        + securityProtocol + "': expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
            }
        }
        boolean sasl = securityProtocol != null && securityProtocol.startsWith("SASL_");
        if (sasl && (saslMechanism == null || saslJaasConfig == null)) {
            throw new InvalidConfigException(Setting.KAFKA_SECURITY_PROTOCOL.label() + " " + securityProtocol
                    + " needs " + Setting.KAFKA_SASL_MECHANISM.label() + " and the environment variable "
                    + JAAS_CONFIG_ENV);
        }
        if (!sasl && (saslMechanism != null || saslJaasConfig != null)) {
            throw new InvalidConfigException(Setting.KAFKA_SASL_MECHANISM.label() + " and " + JAAS_CONFIG_ENV
                    + " need " + Setting.KAFKA_SECURITY_PROTOCOL.label() + " SASL_SSL or SASL_PLAINTEXT, not "
                    + (securityProtocol == null ? "PLAINTEXT (the default)" : securityProtocol)
                    + ": the credentials would be ignored");
        }
        boolean tls = securityProtocol != null && securityProtocol.endsWith("SSL");
        if (!tls && truststoreLocation != null) {
            throw new InvalidConfigException(Setting.KAFKA_SSL_TRUSTSTORE_LOCATION.label()
                    + " needs " + Setting.KAFKA_SECURITY_PROTOCOL.label() + " SSL or SASL_SSL");
        }
    }

    /** The Kafka client properties: none when unset, so that the clients keep their defaults. */
    public Properties properties() {
        Properties p = new Properties();
        if (securityProtocol == null) {
            return p;
        }
        p.setProperty("security.protocol", securityProtocol);
        if (saslMechanism != null) {
            p.setProperty("sasl.mechanism", saslMechanism);
            p.setProperty("sasl.jaas.config", saslJaasConfig);
        }
        if (truststoreLocation != null) {
            p.setProperty("ssl.truststore.type", "PEM");
            p.setProperty("ssl.truststore.location", truststoreLocation);
        }
        return p;
    }

    @Override
    public String toString() {
        return "KafkaClientSecurity[securityProtocol=" + (securityProtocol == null ? "PLAINTEXT" : securityProtocol)
                + ", saslMechanism=" + saslMechanism + ", saslJaasConfig=" + (saslJaasConfig == null ? "(none)" : "(set)")
                + ", truststoreLocation=" + truststoreLocation + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
