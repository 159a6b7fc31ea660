package com.acme.clickstream.flink.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the job's Kafka clients authenticate and verify the brokers: {@code security.protocol}, {@code sasl.mechanism},
 * {@code sasl.jaas.config} and a PEM trust store (the cluster CA). Unset, the clients speak PLAINTEXT as on the local
 * broker. The JAAS line holds a password: it comes only from the environment ({@value #JAAS_CONFIG_ENV}) or a file
 * ({@code --kafka-sasl-jaas-config-file}), never from an argument, and it is not in the job graph either: the
 * properties name it through a Kafka config provider ({@code ${env:KAFKA_SASL_JAAS_CONFIG}} or
 * {@code ${dir:/dir:file}}), which each Kafka client resolves when it is created, in the source's enumerator on the
 * JobManager and in its readers on the TaskManagers, from that process's own environment or file.
 */
public record KafkaClientSecurity(String securityProtocol, String saslMechanism, SecretRef saslJaasConfig,
        String truststoreLocation) implements Serializable {

    private static final long serialVersionUID = 2L;

    public static final String JAAS_CONFIG_ENV = "KAFKA_SASL_JAAS_CONFIG";
    static final String WHAT = "the Kafka sasl.jaas.config";
    /** The config providers named in {@code config.providers}: kafka-clients' own, the env one failing clearly. */
    public static final String ENV_PROVIDER = RequiredEnvVarConfigProvider.class.getName();
    public static final String DIR_PROVIDER = "org.apache.kafka.common.config.provider.DirectoryConfigProvider";
    public static final KafkaClientSecurity NONE = new KafkaClientSecurity(null, null, null, null);

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public KafkaClientSecurity {
        securityProtocol = blankToNull(securityProtocol);
        saslMechanism = blankToNull(saslMechanism);
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
                    + JAAS_CONFIG_ENV + " or " + Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label());
        }
        if (!sasl && (saslMechanism != null || saslJaasConfig != null)) {
            throw new InvalidConfigException(Setting.KAFKA_SASL_MECHANISM.label() + ", " + JAAS_CONFIG_ENV + " and "
                    + Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label() + " need " + Setting.KAFKA_SECURITY_PROTOCOL.label() + " SASL_SSL or SASL_PLAINTEXT, not "
                    + (securityProtocol == null ? "PLAINTEXT (the default)" : securityProtocol)
                    + ": the credentials would be ignored");
        }
        boolean tls = securityProtocol != null && securityProtocol.endsWith("SSL");
        if (!tls && truststoreLocation != null) {
            throw new InvalidConfigException(Setting.KAFKA_SSL_TRUSTSTORE_LOCATION.label()
                    + " needs " + Setting.KAFKA_SECURITY_PROTOCOL.label() + " SSL or SASL_SSL");
        }
    }

    /**
     * The Kafka client properties: none when unset, so that the clients keep their defaults. {@code sasl.jaas.config}
     * is a config provider's variable, resolved by each client where it is created: from the environment variable
     * ({@link RequiredEnvVarConfigProvider}, allowed to read that one variable only) or from the file
     * ({@code DirectoryConfigProvider}, allowed to read that file's directory only).
     */
    public Properties properties() {
        Properties p = new Properties();
        if (securityProtocol == null) {
            return p;
        }
        p.setProperty("security.protocol", securityProtocol);
        if (saslMechanism != null) {
            p.setProperty("sasl.mechanism", saslMechanism);
            if (saslJaasConfig.isFile()) {
                Path file = Path.of(saslJaasConfig.file());
                String dir = file.getParent().toString();
                p.setProperty("config.providers", "dir");
                p.setProperty("config.providers.dir.class", DIR_PROVIDER);
                p.setProperty("config.providers.dir.param.allowed.paths", dir);
                p.setProperty("sasl.jaas.config", "${dir:" + dir + ":" + file.getFileName() + "}");
            } else {
                p.setProperty("config.providers", "env");
                p.setProperty("config.providers.env.class", ENV_PROVIDER);
                p.setProperty("config.providers.env.param.allowlist.pattern", Pattern.quote(saslJaasConfig.variable()));
                p.setProperty("sasl.jaas.config", "${env:" + saslJaasConfig.variable() + "}");
            }
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
                + ", saslMechanism=" + saslMechanism + ", saslJaasConfig=" + (saslJaasConfig == null ? "(none)" : saslJaasConfig)
                + ", truststoreLocation=" + truststoreLocation + "]";
    }

    /** The JAAS line's reference from the environment variable {@value #JAAS_CONFIG_ENV} or the file, if any. */
    static SecretRef jaasConfig(String environmentValue, String file) {
        boolean fromEnv = environmentValue != null && !environmentValue.isBlank();
        if (fromEnv && file != null) {
            throw new InvalidConfigException("both " + JAAS_CONFIG_ENV + " and "
                    + Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label() + " are set: keep one, so that it is clear which "
                    + "credentials are used");
        }
        if (file != null) {
            SecretRef ref = SecretRef.file(WHAT, file);
            try {
                ref.resolve();
            } catch (SecretRef.MissingSecretException e) {
                throw new InvalidConfigException(Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label() + ": " + e.getMessage(), e);
            }
            if (ref.file().contains(":") || ref.file().contains("}")) {
                throw new InvalidConfigException(Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label() + " '" + file
                        + "': the path may hold no ':' or '}' (it becomes a Kafka config provider variable)");
            }
            return ref;
        }
        return fromEnv ? SecretRef.environment(WHAT, JAAS_CONFIG_ENV) : null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
