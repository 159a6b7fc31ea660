package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SecretRef;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both PostgreSQL sinks as a role that must give its password (SCRAM, pg_hba), the password only named in the job
 * graph: the exactly-once sink's writers and committers and the dead-letter sink read it on the TaskManager when
 * they connect, and every session and the rejected record arrive. From a file ({@code JDBC_PASSWORD_FILE}) in this
 * JVM's MiniCluster, and from the variable {@code JDBC_PASSWORD} of a process of its own running {@code main}, as
 * the local stack runs it (the variable cannot be set in this JVM).
 */
class RuntimePasswordIT {
    private static final Database DB = Database.create("flink_runtime_password");
    private static final Database DB_ENV = Database.create("flink_runtime_password_env");
    /** A login role with the sink role's privileges whose connections need a password (test server: all others trust). */
    static final String ROLE = "clickstream_sink_pw";
    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private JobClient job;
    private Process process;

    @BeforeAll
    static void aRoleThatMustAuthenticate() throws Exception {
        DB.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then "
                + "create role " + ROLE + " login in role " + Database.SINK_ROLE + "; end if; end $$");
        DB.execute("alter role " + ROLE + " password '" + PASSWORD + "'");
        requirePassword();
        String url = url(DB);
        await().atMost(Duration.ofSeconds(30)).until(() -> refusedWithoutPassword(url));
        assertThatThrownBy(() -> DriverManager.getConnection(url, ROLE, "wrong").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        try (var c = DriverManager.getConnection(url, ROLE, PASSWORD)) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String url(Database db) {
        return "jdbc:postgresql://127.0.0.1:" + TestServers.postgres().port() + "/" + db.name();
    }

    @Test
    void theSinksReadThePasswordFileWhereTheyConnect(@TempDir Path dir) throws Exception {
        String password = PASSWORD;
        String url = url(DB);
        Path passwordFile = dir.resolve("secret/password");
        Files.createDirectories(passwordFile.getParent());
        Files.writeString(passwordFile, password + "\n");
        List<SessionRow> valid = Sessions.rows("pw", 0, 30);
        try (Topics topic = new Topics(TestServers.kafka(), "runtime-password", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).jdbcUrl(url).jdbcUser(ROLE)
                    .jdbcPassword(SecretRef.file("the PostgreSQL password", passwordFile.toString())).build();
            assertThat(config.toString()).doesNotContain(password);
            job = Jobs.start(config, SessionSinks.exactlyOnce(config));
            valid.forEach(topic::send);
            topic.send("some-key", "not json".getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(60)).until(() -> DB.count("sessions") == valid.size()
                    && DB.count("sessions_rejected") == 1);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(DB.sessionIds()).containsExactlyElementsOf(valid.stream().map(SessionRow::sessionId).sorted().toList());
        }
    }

    @Test
    void mainInAProcessOfItsOwnReadsThePasswordVariableWhereTheSinksConnect(@TempDir Path dir) throws Exception {
        assertThat(Path.of("target/lib")).as("target/lib (mvn package)").isDirectory();
        List<SessionRow> valid = Sessions.rows("pwenv", 0, 30);
        try (Topics topic = new Topics(TestServers.kafka(), "runtime-password-env", 2)) {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = List.of(java, "-Xmx768m",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "-cp", "target/classes" + File.pathSeparator + "target/lib/*",
                    SessionSinkMain.class.getName(),
                    "--bootstrap-servers", TestServers.kafka().bootstrapServers(),
                    "--topic", topic.topic(),
                    "--jdbc-url", url(DB_ENV),
                    "--jdbc-user", ROLE,
                    "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                    "--checkpoint-interval", "PT0.5S",
                    "--local-tmp-dir", dir.resolve("tmp").toString(),
                    "--rest-port", "0");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("main.log").toFile());
            builder.environment().put("JDBC_PASSWORD", PASSWORD);
            process = builder.start();
            valid.forEach(topic::send);
            topic.send("some-key", "not json".getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(120)).until(() -> DB_ENV.count("sessions") == valid.size()
                    && DB_ENV.count("sessions_rejected") == 1);
            assertThat(process.isAlive()).isTrue();
            assertThat(DB_ENV.sessionIds()).containsExactlyElementsOf(
                    valid.stream().map(SessionRow::sessionId).sorted().toList());
            assertThat(Files.readString(dir.resolve("main.log"))).doesNotContain(PASSWORD);
        }
    }

    private static boolean refusedWithoutPassword(String url) {
        try (var c = DriverManager.getConnection(url, ROLE, null)) {
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    /** Puts a scram-sha-256 rule for {@link #ROLE} first in pg_hba.conf and reloads the server's configuration. */
    private static void requirePassword() throws Exception {
        Path hba = Path.of(DB.strings("show hba_file").get(0));
        String rule = "host all " + ROLE + " 127.0.0.1/32 scram-sha-256";
        String content = Files.readString(hba);
        if (!content.startsWith(rule + "\n")) {
            Files.writeString(hba, rule + "\n" + content);
        }
        DB.execute("select pg_reload_conf()");
    }
}
