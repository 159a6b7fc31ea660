package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both PostgreSQL sinks as a role that must give its password (SCRAM, pg_hba), the password only named in the job
 * graph ({@code JDBC_PASSWORD_FILE}): the exactly-once sink's writers and committers and the dead-letter sink read it
 * on the TaskManager when they connect, and every session and the rejected record arrive.
 */
class RuntimePasswordIT {
    private static final Database DB = Database.create("flink_runtime_password");
    /** A login role with the sink role's privileges whose connections need a password (test server: all others trust). */
    static final String ROLE = "clickstream_sink_pw";
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
    }

    @Test
    void theSinksReadThePasswordWhereTheyConnect(@TempDir Path dir) throws Exception {
        String password = "pw-" + UUID.randomUUID();
        DB.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then "
                + "create role " + ROLE + " login in role " + Database.SINK_ROLE + "; end if; end $$");
        DB.execute("alter role " + ROLE + " password '" + password + "'");
        requirePassword();
        String url = "jdbc:postgresql://127.0.0.1:" + TestServers.postgres().port() + "/" + DB.name();
        await().atMost(Duration.ofSeconds(30)).until(() -> refusedWithoutPassword(url));
        assertThatThrownBy(() -> DriverManager.getConnection(url, ROLE, "wrong").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        try (var c = DriverManager.getConnection(url, ROLE, password)) {
            assertThat(c.isValid(5)).isTrue();
        }

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
