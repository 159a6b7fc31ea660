package com.acme.clickstream.flink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkJobConfigTest {
    private static final String[] REQUIRED = {"--bootstrap-servers", "k1:9092,k2:9092", "--jdbc-url",
            "jdbc:postgresql://db:5432/clicks"};

    private static SinkJobConfig parse(Map<String, String> env, String... args) {
        return SinkJobConfig.fromArgs(args, env);
    }

    @Test
    void defaults() {
        SinkJobConfig c = parse(Map.of(), REQUIRED);
        assertThat(c.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.topic()).isEqualTo("clickstream.sessions");
        assertThat(c.groupId()).isEqualTo("clickstream-flink-sink");
        assertThat(c.jdbcUser()).isEqualTo("postgres");
        assertThat(c.jdbcPassword()).isNull();
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.checkpointTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.checkpointDirectory()).isEmpty();
        assertThat(c.parallelismSetting()).as("unset: the execution environment's").isEmpty();
        assertThat(c.parallelismOr(7)).isEqualTo(7);
        assertThat(c.kafkaSecurity()).isEqualTo(KafkaClientSecurity.NONE);
        assertThat(c.kafkaSecurity().properties()).as("PLAINTEXT: the clients' defaults").isEmpty();
        assertThat(c.pipelineName()).isEqualTo("clickstream-flink-sink");
        assertThat(c.lockTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.deadLetterTable()).isEqualTo("sessions_rejected");
        assertThat(c.dedupRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(c.restPort()).isEqualTo(8081);
    }

    @Test
    void environmentAndArgumentsArgumentsWin() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "env:9092");
        env.put("JDBC_URL", "jdbc:postgresql://env/db");
        env.put("SESSIONS_TOPIC", "env.topic");
        env.put("PARALLELISM", "3");
        env.put("CHECKPOINT_INTERVAL", "PT5S");
        env.put("KAFKA_GROUP_ID", "env-group");
        env.put("LOCK_TIMEOUT", "PT5S");
        env.put("CHECKPOINT_DIR", "  ");
        SinkJobConfig c = parse(env, "--topic", "arg.topic", "--parallelism=4", "--checkpoint-dir", "/data/chk");
        assertThat(c.bootstrapServers()).isEqualTo("env:9092");
        assertThat(c.topic()).isEqualTo("arg.topic");
        assertThat(c.parallelism()).isEqualTo(4);
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.pipelineName()).as("defaults to the consumer group").isEqualTo("env-group");
        assertThat(c.lockTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse(env, "--pipeline-name", "sessions-eu").pipelineName()).isEqualTo("sessions-eu");
        assertThat(c.checkpointUri()).contains("file:///data/chk");
        assertThat(parse(env, "--checkpoint-dir", "s3://bucket/chk").checkpointUri()).contains("s3://bucket/chk");
    }

    @Test
    void passwordFromEnvironmentOrFileNeverFromArguments(@TempDir Path dir) throws Exception {
        // The configuration (it goes into the job graph) holds where the password is, never the password.
        SinkJobConfig fromEnv = parse(Map.of("JDBC_PASSWORD", "s3cret"), REQUIRED);
        assertThat(fromEnv.jdbcPassword()).isEqualTo(SecretRef.environment("the PostgreSQL password", "JDBC_PASSWORD"));
        assertThat(fromEnv.toString()).doesNotContain("s3cret").contains("jdbcPassword=env:JDBC_PASSWORD");
        assertThat(parse(Map.of("JDBC_PASSWORD", ""), REQUIRED).jdbcPassword()).as("empty: none").isNull();
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\n");
        SinkJobConfig fromFile = parse(Map.of(), append(REQUIRED, "--jdbc-password-file", file.toString()));
        assertThat(fromFile.jdbcPassword().file()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(fromFile.jdbcPassword().resolve()).as("read where it is used, stripped").isEqualTo("from-file");
        assertThat(fromFile.toString()).doesNotContain("from-file").contains("jdbcPassword=file:" + file.toAbsolutePath());

        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--jdbc-password", "x")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("--jdbc-password is not accepted")
                .hasMessageContaining("JDBC_PASSWORD");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--jdbc-password=x")))
                .hasMessageContaining("--jdbc-password is not accepted");
        assertThatThrownBy(() -> parse(Map.of("JDBC_PASSWORD", "a"),
                append(REQUIRED, "--jdbc-password-file", file.toString()))).hasMessageContaining("both");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--jdbc-password-file", dir.resolve("no").toString())))
                .hasMessageContaining("--jdbc-password-file/JDBC_PASSWORD_FILE").hasMessageContaining("cannot be read");
    }

    @Test
    void aPasswordMissingWhereTheJobRunsFailsNamingTheVariableOrTheFile(@TempDir Path dir) throws Exception {
        String unset = "FLINK_SINK_JOB_TEST_UNSET_" + java.util.UUID.randomUUID().toString().replace('-', '_');
        assertThat(System.getenv(unset)).isNull();
        assertThatThrownBy(() -> SecretRef.environment("the PostgreSQL password", unset).resolve())
                .isInstanceOf(SecretRef.MissingSecretException.class)
                .hasMessageStartingWith("the PostgreSQL password: the environment variable " + unset + " is not set in "
                        + "this process");
        Path file = dir.resolve("gone");
        SecretRef ref = SecretRef.file("the PostgreSQL password", file.toString());
        assertThatThrownBy(ref::resolve).isInstanceOf(SecretRef.MissingSecretException.class)
                .hasMessageStartingWith("the PostgreSQL password: the file " + file.toAbsolutePath() + " cannot be read");
        Files.writeString(file, " \n");
        assertThatThrownBy(ref::resolve).isInstanceOf(SecretRef.MissingSecretException.class)
                .hasMessageStartingWith("the PostgreSQL password: the file " + file.toAbsolutePath() + " is empty");
        // A variable every process has: read from this process's environment.
        assertThat(SecretRef.environment("x", "PATH").resolve()).isEqualTo(System.getenv("PATH"));
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> parse(Map.of(), "--jdbc-url", "jdbc:postgresql://db/x"))
                .hasMessageContaining("--bootstrap-servers/KAFKA_BOOTSTRAP_SERVERS is required");
        assertThatThrownBy(() -> parse(Map.of(), "--bootstrap-servers", "k:1"))
                .hasMessageContaining("--jdbc-url/JDBC_URL is required");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--checkpoint-interval", "10s")))
                .hasMessageContaining("--checkpoint-interval/CHECKPOINT_INTERVAL '10s'").hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--parallelism", "0")))
                .hasMessageContaining("--parallelism/PARALLELISM '0'");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--parallelism", "two")))
                .hasMessageContaining("--parallelism/PARALLELISM 'two'");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--pipeline-name", "a:b")))
                .hasMessageContaining("--pipeline-name/PIPELINE_NAME 'a:b'");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--lock-timeout", "PT0S")))
                .hasMessageContaining("--lock-timeout/LOCK_TIMEOUT 'PT0S'");
        // The XA sink's orphan settings are gone: a stale flag fails the start instead of being ignored.
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--rollback-orphaned-xa", "true")))
                .hasMessageContaining("unknown argument '--rollback-orphaned-xa'");
        assertThatThrownBy(() -> parse(Map.of(), "--bootstrap-servers", "k:1", "--jdbc-url", "jdbc:mysql://x/y"))
                .hasMessageContaining("--jdbc-url/JDBC_URL");
        assertThatThrownBy(() -> parse(Map.of(), "--bootstrap-servers", "nohost", "--jdbc-url", "jdbc:postgresql:x"))
                .hasMessageContaining("--bootstrap-servers/KAFKA_BOOTSTRAP_SERVERS 'nohost'");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--topic", "bad topic")))
                .hasMessageContaining("--topic/SESSIONS_TOPIC");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--dead-letter-table", "x; drop table y")))
                .hasMessageContaining("--dead-letter-table/DEAD_LETTER_TABLE");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--dedup-retention", "-PT1S")))
                .hasMessageContaining("--dedup-retention/DEDUP_RETENTION");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--nonsense", "1")))
                .hasMessageContaining("unknown argument '--nonsense'");
        assertThatThrownBy(() -> parse(Map.of(), append(REQUIRED, "--topic")))
                .hasMessageContaining("--topic needs a value");
        assertThatThrownBy(() -> parse(Map.of("PARALLELISM", "many"), REQUIRED))
                .hasMessageContaining("--parallelism/PARALLELISM 'many'");
    }

    private static String[] append(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
