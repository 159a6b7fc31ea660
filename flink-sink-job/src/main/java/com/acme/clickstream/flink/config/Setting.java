package com.acme.clickstream.flink.config;

import java.util.Arrays;
import java.util.Optional;

/** The job's settings: each is an argument ({@code --name value}) and an environment variable; the argument wins. */
public enum Setting {
    BOOTSTRAP_SERVERS("--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "Kafka bootstrap servers (required)"),
    TOPIC("--topic", "SESSIONS_TOPIC", "topic of final sessions (default clickstream.sessions)"),
    GROUP_ID("--group-id", "KAFKA_GROUP_ID", "consumer group; offsets are owned by checkpoints, the group only "
            + "shows them and is where a start without checkpoint begins (default clickstream-flink-sink)"),
    JDBC_URL("--jdbc-url", "JDBC_URL", "PostgreSQL JDBC URL, jdbc:postgresql://host:port/db (required)"),
    JDBC_USER("--jdbc-user", "JDBC_USER", "PostgreSQL user (default postgres)"),
    JDBC_PASSWORD_FILE("--jdbc-password-file", "JDBC_PASSWORD_FILE",
            "file holding the password; or the environment variable JDBC_PASSWORD (never an argument). Read by "
                    + "the sinks on the TaskManagers (and the preflight check where the job is submitted)"),
    CHECKPOINT_INTERVAL("--checkpoint-interval", "CHECKPOINT_INTERVAL",
            "ISO-8601 duration between checkpoints; rows become visible per checkpoint (default PT10S)"),
    CHECKPOINT_TIMEOUT("--checkpoint-timeout", "CHECKPOINT_TIMEOUT",
            "ISO-8601 duration after which a checkpoint is failed (default PT2M)"),
    CHECKPOINT_DIR("--checkpoint-dir", "CHECKPOINT_DIR",
            "checkpoint storage, a path or URI (file://, s3://...); required for local runs"),
    PARALLELISM("--parallelism", "PARALLELISM", "parallelism of every operator, 1-" + SinkJobConfig.MAX_PARALLELISM
            + " (default: the cluster's parallelism.default, which the Kubernetes operator sets from "
            + "spec.job.parallelism; " + SinkJobConfig.DEFAULT_PARALLELISM + " in a local run)"),
    PIPELINE_NAME("--pipeline-name", "PIPELINE_NAME",
            "names this deployment's prepared transactions (gid fsj:<name>:...); restores end only leftovers of this "
                    + "name, so it must be unique per database and stable across upgrades ([A-Za-z0-9._-], at most 64; "
                    + "default: the consumer group)"),
    LOCK_TIMEOUT("--lock-timeout", "LOCK_TIMEOUT",
            "ISO-8601 duration a sink write may wait for a row lock before it fails and the job restarts "
                    + "(PostgreSQL lock_timeout of the writer sessions; default PT30S)"),
    DEAD_LETTER_TABLE("--dead-letter-table", "DEAD_LETTER_TABLE",
            "PostgreSQL table for rejected records (default sessions_rejected, migration V3)"),
    DEDUP_RETENTION("--dedup-retention", "DEDUP_RETENTION",
            "how long a written session_id is remembered to divert a second copy to the dead-letter table; "
                    + "PT0S turns it off (default PT1H)"),
    JDBC_BATCH_SIZE("--jdbc-batch-size", "JDBC_BATCH_SIZE", "records per COPY batch of the sink (default 5000)"),
    LOCAL_TMP_DIR("--local-tmp-dir", "LOCAL_TMP_DIR",
            "local runs: the mini-cluster's temporary files (default <java.io.tmpdir>/flink-sink-job)"),
    REST_PORT("--rest-port", "REST_PORT", "local runs: port of Flink's REST API on 127.0.0.1, 0 = any (default 8081)"),
    KAFKA_SECURITY_PROTOCOL("--kafka-security-protocol", "KAFKA_SECURITY_PROTOCOL",
            "Kafka security.protocol: PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL"),
    KAFKA_SASL_MECHANISM("--kafka-sasl-mechanism", "KAFKA_SASL_MECHANISM",
            "Kafka sasl.mechanism, e.g. SCRAM-SHA-512; the JAAS line (it holds the password) only from the "
                    + "environment variable " + KafkaClientSecurity.JAAS_CONFIG_ENV + " or a file"),
    KAFKA_SASL_JAAS_CONFIG_FILE("--kafka-sasl-jaas-config-file", "KAFKA_SASL_JAAS_CONFIG_FILE",
            "file holding the Kafka sasl.jaas.config line; or the environment variable "
                    + KafkaClientSecurity.JAAS_CONFIG_ENV + " (never an argument). Read by the Kafka clients on the "
                    + "JobManager and TaskManagers"),
    KAFKA_SSL_TRUSTSTORE_LOCATION("--kafka-ssl-truststore-location", "KAFKA_SSL_TRUSTSTORE_LOCATION",
            "PEM file of the CA certificates that sign the brokers' certificates (default: the JVM's trust store)");

    private final String argument;
    private final String environmentVariable;
    private final String description;

    Setting(String argument, String environmentVariable, String description) {
        this.argument = argument;
        this.environmentVariable = environmentVariable;
        this.description = description;
    }

    public String argument() {
        return argument;
    }

    public String environmentVariable() {
        return environmentVariable;
    }

    public String description() {
        return description;
    }

    /** How error messages name the setting: {@code --topic/SESSIONS_TOPIC}. */
    public String label() {
        return argument + "/" + environmentVariable;
    }

    public static Optional<Setting> byArgument(String argument) {
        return Arrays.stream(values()).filter(s -> s.argument.equals(argument)).findFirst();
    }
}
