package com.acme.clickstream.flink.config;

import java.util.Set;

import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;

/**
 * kafka-clients' {@link EnvVarConfigProvider} (with its allowlist), except that a variable missing in this process
 * fails the Kafka client's creation with a message naming it and the process. Kafka's own provider leaves
 * {@code ${env:...}} unresolved, and the client then fails to parse that text as a JAAS line ("Login module control
 * flag is not available in the JAAS config"), which points nowhere near the cause: a JobManager or TaskManager
 * started without the Secret that {@code main} saw where the job was submitted.
 */
public class RequiredEnvVarConfigProvider extends EnvVarConfigProvider {

    @Override
    public ConfigData get(String path, Set<String> keys) {
        ConfigData data = super.get(path, keys);
        for (String key : keys) {
            String value = data.data().get(key);
            if (value == null || value.isEmpty()) {
                // Throws naming the variable, "not set" or "empty", and this process.
                SecretRef.environment(KafkaClientSecurity.WHAT, key).resolve();
                throw new ConfigException(KafkaClientSecurity.WHAT + ": the environment variable " + key
                        + " is not in the config provider's allowlist");
            }
        }
        return data;
    }
}
