package com.acme.clickstream.flink.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The job's configuration: immutable, validated on construction, read from arguments ({@code --name value} or
 * {@code --name=value}) and the environment, arguments winning. The password is read only from the environment
 * variable {@code JDBC_PASSWORD} or from a file ({@code --jdbc-password-file}/{@code JDBC_PASSWORD_FILE}), never
 * from an argument, so that it shows in no process list or shell history. The configuration holds only where the
 * secrets are ({@link SecretRef}: the variable's name, the file's path), never their values: it goes into the job
 * graph, and the operators read the secrets at run time on the JobManager and TaskManagers.
 *
 * <p>Every problem is an {@link InvalidConfigException} whose message names the setting, thrown before any job
 * starts.
 */
public record SinkJobConfig(
        String bootstrapServers,
        String topic,
        String groupId,
        String jdbcUrl,
        String jdbcUser,
        SecretRef jdbcPassword,
        Duration checkpointInterval,
        Duration checkpointTimeout,
        String checkpointDir,
        int parallelism,
        String pipelineName,
        Duration lockTimeout,
        String deadLetterTable,
        Duration dedupRetention,
        int jdbcBatchSize,
        String localTmpDir,
        int restPort,
        KafkaClientSecurity kafkaSecurity) implements Serializable {

    private static final long serialVersionUID = 2L;

    /** Max parallelism of the job (key groups of the keyed dedup state): fixed so that rescaling keeps state. */
    public static final int MAX_PARALLELISM = 128;

    public static final String PASSWORD_ENV = "JDBC_PASSWORD";
    static final String PASSWORD_WHAT = "the PostgreSQL password";
    public static final String DEFAULT_TOPIC = "clickstream.sessions";
    public static final String DEFAULT_GROUP_ID = "clickstream-flink-sink";
    public static final String DEFAULT_USER = "postgres";
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CHECKPOINT_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_PARALLELISM = 2;
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    public static final String DEFAULT_DEAD_LETTER_TABLE = "sessions_rejected";
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofHours(1);
    /**
     * Records per COPY of the exactly-once sink: fewer round trips than 1000 and no commit per batch to wait for
     * (the transaction spans the checkpoint interval); two batches in memory per subtask. Measured in the README's
     * Benchmark section.
     */
    public static final int DEFAULT_JDBC_BATCH_SIZE = 5000;
    public static final int DEFAULT_REST_PORT = 8081;

    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*(\\.[a-zA-Z_][a-zA-Z0-9_]*)?");
    private static final Pattern PIPELINE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}");

    public SinkJobConfig {
        require(Setting.BOOTSTRAP_SERVERS, bootstrapServers);
        for (String server : bootstrapServers.split(",")) {
            if (!HOST_PORT.matcher(server.trim()).matches()) {
                throw invalid(Setting.BOOTSTRAP_SERVERS, bootstrapServers, "expected host:port[,host:port...]");
            }
        }
        require(Setting.TOPIC, topic);
        if (!TOPIC_NAME.matcher(topic).matches()) {
            throw invalid(Setting.TOPIC, topic, "not a Kafka topic name ([a-zA-Z0-9._-], at most 249 characters)");
        }
        require(Setting.GROUP_ID, groupId);
        require(Setting.JDBC_URL, jdbcUrl);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw invalid(Setting.JDBC_URL, jdbcUrl, "expected jdbc:postgresql://host:port/database");
        }
        require(Setting.JDBC_USER, jdbcUser);
        positive(Setting.CHECKPOINT_INTERVAL, checkpointInterval);
        if (checkpointInterval.toMillis() < 10) {
            throw invalid(Setting.CHECKPOINT_INTERVAL, checkpointInterval, "Flink's minimum is 10 ms");
        }
        positive(Setting.CHECKPOINT_TIMEOUT, checkpointTimeout);
        if (checkpointTimeout.toMillis() < 10) {
            throw invalid(Setting.CHECKPOINT_TIMEOUT, checkpointTimeout, "Flink's minimum is 10 ms");
        }
        if (checkpointDir != null && checkpointDir.isBlank()) {
            throw invalid(Setting.CHECKPOINT_DIR, checkpointDir, "empty");
        }
        // 0: not set, the execution environment's default (see parallelismSetting()).
        if (parallelism < 0 || parallelism > MAX_PARALLELISM) {
            throw invalid(Setting.PARALLELISM, parallelism, "expected 1-" + MAX_PARALLELISM);
        }
        require(Setting.PIPELINE_NAME, pipelineName);
        if (!PIPELINE.matcher(pipelineName).matches()) {
            throw invalid(Setting.PIPELINE_NAME, pipelineName, "expected 1-64 characters of [A-Za-z0-9._-] (it is "
                    + "part of PostgreSQL transaction ids)");
        }
        positive(Setting.LOCK_TIMEOUT, lockTimeout);
        if (lockTimeout.toMillis() < 1) {
            throw invalid(Setting.LOCK_TIMEOUT, lockTimeout, "PostgreSQL counts lock_timeout in milliseconds");
        }
        require(Setting.DEAD_LETTER_TABLE, deadLetterTable);
        if (!TABLE_NAME.matcher(deadLetterTable).matches()) {
            throw invalid(Setting.DEAD_LETTER_TABLE, deadLetterTable, "expected a table name, optionally schema.table");
        }
        if (dedupRetention == null || dedupRetention.isNegative()) {
            throw invalid(Setting.DEDUP_RETENTION, dedupRetention, "expected PT0S (off) or a positive duration");
        }
        if (jdbcBatchSize < 1 || jdbcBatchSize > 100_000) {
            throw invalid(Setting.JDBC_BATCH_SIZE, jdbcBatchSize, "expected 1-100000");
        }
        require(Setting.LOCAL_TMP_DIR, localTmpDir);
        if (restPort < 0 || restPort > 65535) {
            throw invalid(Setting.REST_PORT, restPort, "expected 0-65535");
        }
        if (kafkaSecurity == null) {
            kafkaSecurity = KafkaClientSecurity.NONE;
        }
    }

    /**
     * Reads the configuration from {@code --name value} arguments and the environment (arguments win).
     *
     * @throws InvalidConfigException naming the setting that is missing, unknown or bad
     */
    public static SinkJobConfig fromArgs(String[] args, Map<String, String> environment) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = environment.get(setting.environmentVariable());
            if (value != null && !value.isBlank()) {
                values.put(setting, value.trim());
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--kafka-sasl-jaas-config")) {
                throw new InvalidConfigException("--kafka-sasl-jaas-config is not accepted: it holds a password, which "
                        + "in the arguments shows in process lists and the job graph's program arguments. Set the "
                        + "environment variable " + KafkaClientSecurity.JAAS_CONFIG_ENV + " or name a file with "
                        + Setting.KAFKA_SASL_JAAS_CONFIG_FILE.label());
            }
            if (name.equals("--jdbc-password")) {
                throw new InvalidConfigException("--jdbc-password is not accepted: a password in the arguments shows "
                        + "in process lists and shell history. Set the environment variable " + PASSWORD_ENV
                        + " or name a file with " + Setting.JDBC_PASSWORD_FILE.label());
            }
            Setting setting = Setting.byArgument(name).orElseThrow(() -> new InvalidConfigException(
                    "unknown argument '" + arg + "'; the settings are: " + usage()));
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new InvalidConfigException(setting.argument() + " needs a value: " + setting.description());
                }
                value = args[++i];
            }
            values.put(setting, value.trim());
        }
        return builder()
                .bootstrapServers(values.get(Setting.BOOTSTRAP_SERVERS))
                .topic(values.getOrDefault(Setting.TOPIC, DEFAULT_TOPIC))
                .groupId(values.getOrDefault(Setting.GROUP_ID, DEFAULT_GROUP_ID))
                .jdbcUrl(values.get(Setting.JDBC_URL))
                .jdbcUser(values.getOrDefault(Setting.JDBC_USER, DEFAULT_USER))
                .jdbcPassword(password(values.get(Setting.JDBC_PASSWORD_FILE), environment.get(PASSWORD_ENV)))
                .checkpointInterval(duration(values, Setting.CHECKPOINT_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL))
                .checkpointTimeout(duration(values, Setting.CHECKPOINT_TIMEOUT, DEFAULT_CHECKPOINT_TIMEOUT))
                .checkpointDir(values.get(Setting.CHECKPOINT_DIR))
                .parallelism(explicitParallelism(values))
                .pipelineName(values.getOrDefault(Setting.PIPELINE_NAME,
                        values.getOrDefault(Setting.GROUP_ID, DEFAULT_GROUP_ID)))
                .lockTimeout(duration(values, Setting.LOCK_TIMEOUT, DEFAULT_LOCK_TIMEOUT))
                .deadLetterTable(values.getOrDefault(Setting.DEAD_LETTER_TABLE, DEFAULT_DEAD_LETTER_TABLE))
                .dedupRetention(duration(values, Setting.DEDUP_RETENTION, DEFAULT_DEDUP_RETENTION))
                .jdbcBatchSize(integer(values, Setting.JDBC_BATCH_SIZE, DEFAULT_JDBC_BATCH_SIZE))
                .localTmpDir(values.getOrDefault(Setting.LOCAL_TMP_DIR, defaultLocalTmpDir()))
                .restPort(integer(values, Setting.REST_PORT, DEFAULT_REST_PORT))
                .kafkaSecurity(new KafkaClientSecurity(values.get(Setting.KAFKA_SECURITY_PROTOCOL),
                        values.get(Setting.KAFKA_SASL_MECHANISM),
                        KafkaClientSecurity.jaasConfig(environment.get(KafkaClientSecurity.JAAS_CONFIG_ENV),
                                values.get(Setting.KAFKA_SASL_JAAS_CONFIG_FILE)),
                        values.get(Setting.KAFKA_SSL_TRUSTSTORE_LOCATION)))
                .build();
    }

    /**
     * The parallelism set for the job, if any. Unset, the job runs at the execution environment's default: under the
     * Kubernetes operator {@code spec.job.parallelism} (the operator's {@code parallelism.default}), so that the
     * FlinkDeployment is its one source of truth; {@link #DEFAULT_PARALLELISM} on a local mini-cluster.
     */
    public java.util.OptionalInt parallelismSetting() {
        return parallelism == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(parallelism);
    }

    /** The parallelism set, else {@code fallback}. */
    public int parallelismOr(int fallback) {
        return parallelism == 0 ? fallback : parallelism;
    }

    private static int explicitParallelism(Map<Setting, String> values) {
        if (!values.containsKey(Setting.PARALLELISM)) {
            return 0;
        }
        int p = integer(values, Setting.PARALLELISM, 0);
        if (p < 1) {
            throw invalid(Setting.PARALLELISM, p, "expected 1-" + MAX_PARALLELISM);
        }
        return p;
    }

    /** One line per setting, for {@code --help} and error messages. */
    public static String usage() {
        StringBuilder out = new StringBuilder();
        for (Setting s : Setting.values()) {
            out.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-26s %-26s %s",
                    s.argument(), s.environmentVariable(), s.description()));
        }
        out.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-26s %-26s %s", "",
                PASSWORD_ENV, "PostgreSQL password (or " + Setting.JDBC_PASSWORD_FILE.argument() + ")"));
        out.append(System.lineSeparator()).append(String.format(Locale.ROOT, "  %-26s %-26s %s", "",
                KafkaClientSecurity.JAAS_CONFIG_ENV, "Kafka sasl.jaas.config, with the password (SASL protocols; or "
                        + Setting.KAFKA_SASL_JAAS_CONFIG_FILE.argument() + ")"));
        return out.toString();
    }

    public Optional<String> checkpointDirectory() {
        return Optional.ofNullable(checkpointDir);
    }

    /** The checkpoint directory as a URI Flink accepts: a plain path becomes an absolute {@code file://} URI. */
    public Optional<String> checkpointUri() {
        return checkpointDirectory().map(dir -> dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")
                ? dir : Path.of(dir).toAbsolutePath().normalize().toUri().toString());
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().bootstrapServers(bootstrapServers).topic(topic).groupId(groupId).jdbcUrl(jdbcUrl)
                .jdbcUser(jdbcUser).jdbcPassword(jdbcPassword).checkpointInterval(checkpointInterval)
                .checkpointTimeout(checkpointTimeout).checkpointDir(checkpointDir).parallelism(parallelism)
                .pipelineName(pipelineName).lockTimeout(lockTimeout).deadLetterTable(deadLetterTable).dedupRetention(dedupRetention)
                .jdbcBatchSize(jdbcBatchSize).localTmpDir(localTmpDir).restPort(restPort).kafkaSecurity(kafkaSecurity);
    }

    @Override
    public String toString() {
        return "SinkJobConfig[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", groupId=" + groupId
                + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + ", jdbcPassword="
                + (jdbcPassword == null ? "(none)" : jdbcPassword) + ", checkpointInterval=" + checkpointInterval
                + ", checkpointTimeout=" + checkpointTimeout + ", checkpointDir=" + checkpointDir
                + ", parallelism=" + parallelism + ", pipelineName=" + pipelineName + ", lockTimeout=" + lockTimeout
                + ", deadLetterTable=" + deadLetterTable + ", dedupRetention=" + dedupRetention
                + ", jdbcBatchSize=" + jdbcBatchSize + ", localTmpDir=" + localTmpDir + ", restPort=" + restPort
                + ", kafkaSecurity=" + kafkaSecurity + "]";
    }

    /**
     * Where the password is: the variable {@value #PASSWORD_ENV} when it is set here, else the file (checked here,
     * so that a wrong path stops the start), else none.
     */
    private static SecretRef password(String file, String environmentValue) {
        boolean fromEnv = environmentValue != null && !environmentValue.isEmpty();
        if (file != null && fromEnv) {
            throw new InvalidConfigException("both " + PASSWORD_ENV + " and " + Setting.JDBC_PASSWORD_FILE.label()
                    + " are set: keep one, so that it is clear which password is used");
        }
        if (file == null) {
            return fromEnv ? SecretRef.environment(PASSWORD_WHAT, PASSWORD_ENV) : null;
        }
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            if (content.strip().isEmpty()) {
                throw new InvalidConfigException(Setting.JDBC_PASSWORD_FILE.label() + " '" + file + "' is empty");
            }
            return SecretRef.file(PASSWORD_WHAT, file);
        } catch (IOException e) {
            throw new InvalidConfigException(Setting.JDBC_PASSWORD_FILE.label() + " '" + file + "' cannot be read: "
                    + e, e);
        }
    }

    private static Duration duration(Map<Setting, String> values, Setting setting, Duration fallback) {
        String value = values.get(setting);
        if (value == null) {
            return fallback;
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(setting, value, "expected an ISO-8601 duration such as PT10S, PT500MS is written PT0.5S");
        }
    }

    private static int integer(Map<Setting, String> values, Setting setting, int fallback) {
        String value = values.get(setting);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw invalid(setting, value, "expected an integer");
        }
    }

    private static String defaultLocalTmpDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "flink-sink-job").toString();
    }

    private static void require(Setting setting, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(setting.label() + " is required: " + setting.description());
        }
    }

    private static void positive(Setting setting, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw invalid(setting, value, "expected a positive duration");
        }
    }

    private static InvalidConfigException invalid(Setting setting, Object value, String why) {
        return new InvalidConfigException("invalid " + setting.label() + " '" + value + "': " + why);
    }

    /** Builds a config; {@link #build()} validates like {@link #fromArgs}. Unset values take the defaults. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private String groupId = DEFAULT_GROUP_ID;
        private String jdbcUrl;
        private String jdbcUser = DEFAULT_USER;
        private SecretRef jdbcPassword;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private Duration checkpointTimeout = DEFAULT_CHECKPOINT_TIMEOUT;
        private String checkpointDir;
        private int parallelism = DEFAULT_PARALLELISM;
        private String pipelineName;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private String deadLetterTable = DEFAULT_DEAD_LETTER_TABLE;
        private Duration dedupRetention = DEFAULT_DEDUP_RETENTION;
        private int jdbcBatchSize = DEFAULT_JDBC_BATCH_SIZE;
        private String localTmpDir = defaultLocalTmpDir();
        private int restPort = DEFAULT_REST_PORT;
        private KafkaClientSecurity kafkaSecurity = KafkaClientSecurity.NONE;

        private Builder() {}

        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }
        public Builder topic(String v) { topic = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder jdbcUrl(String v) { jdbcUrl = v; return this; }
        public Builder jdbcUser(String v) { jdbcUser = v; return this; }
        /** Where the password is at run time (null: none). */
        public Builder jdbcPassword(SecretRef v) { jdbcPassword = v; return this; }
        /** The password in the environment variable {@code variable} of every process that runs the job. */
        public Builder jdbcPasswordVariable(String variable) {
            jdbcPassword = variable == null ? null : SecretRef.environment(PASSWORD_WHAT, variable);
            return this;
        }
        public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
        public Builder checkpointTimeout(Duration v) { checkpointTimeout = v; return this; }
        public Builder checkpointDir(String v) { checkpointDir = v; return this; }
        public Builder parallelism(int v) { parallelism = v; return this; }
        /** Unset: the consumer group id. */
        public Builder pipelineName(String v) { pipelineName = v; return this; }
        public Builder lockTimeout(Duration v) { lockTimeout = v; return this; }
        public Builder deadLetterTable(String v) { deadLetterTable = v; return this; }
        public Builder dedupRetention(Duration v) { dedupRetention = v; return this; }
        public Builder jdbcBatchSize(int v) { jdbcBatchSize = v; return this; }
        public Builder localTmpDir(String v) { localTmpDir = v; return this; }
        public Builder restPort(int v) { restPort = v; return this; }
        public Builder kafkaSecurity(KafkaClientSecurity v) { kafkaSecurity = v; return this; }

        public SinkJobConfig build() {
            return new SinkJobConfig(bootstrapServers, topic, groupId, jdbcUrl, jdbcUser, jdbcPassword,
                    checkpointInterval, checkpointTimeout, checkpointDir, parallelism,
                    pipelineName == null ? groupId : pipelineName, lockTimeout, deadLetterTable, dedupRetention, jdbcBatchSize, localTmpDir,
                    restPort, kafkaSecurity);
        }
    }
}
