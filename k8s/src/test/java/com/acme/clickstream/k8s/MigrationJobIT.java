package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.internal.configuration.ConfigUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Runs what the Job clickstream-db-migrate runs — Flyway (the project's version), configured by the
 * Job's FLYWAY_* variables, on the files of the ConfigMap kustomize generates from k8s/migrations — against
 * a real PostgreSQL server prepared the way CloudNativePG prepares it (database clickstream owned by the
 * app user clickstream; the managed roles of postgres.yaml, with their memberships). Then checks what BI and the
 * job roles can and cannot do.
 */
class MigrationJobIT {

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path data = Files.createTempDirectory(tmp, "pg-migrate-data");
        Path work = Files.createDirectories(tmp.resolve("pg-migrate-work"));
        pg = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setOverrideWorkingDirectory(work.toFile())
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            // What bootstrap.initdb (database, owner) of postgres.yaml makes CloudNativePG create.
            s.execute("create role clickstream login password 'app-secret'");
            s.execute("create database clickstream owner clickstream");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    private static String url(String db) {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db;
    }

    private static Connection superuser() throws SQLException {
        return DriverManager.getConnection(url("postgres"), "postgres", "postgres");
    }

    /** Flyway configured from the Job's FLYWAY_* variables, as the flyway/flyway image reads them. */
    private static Flyway jobFlyway() {
        JsonNode container = Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("spec").path("containers").get(0);
        Map<String, String> conf = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Env.Var v : Env.of(container).values()) {
            String key = ConfigUtils.convertKey(v.name());
            if (key == null) unknown.add(v.name());
            else conf.put(key, v.value());
        }
        assertThat(unknown).as("FLYWAY_* variables that Flyway does not know").isEmpty();
        // The cluster's addresses and Secrets, replaced by this server's.
        assertThat(conf.get("flyway.url")).isEqualTo(Consistency.jdbcUrl());
        conf.put("flyway.url", url("clickstream"));
        assertThat(Env.secretRef(container, "FLYWAY_USER")).isEqualTo(Consistency.appSecret() + "/username");
        conf.put("flyway.user", "clickstream");
        conf.put("flyway.password", "app-secret");
        // The ConfigMap's mount point holds exactly the files of k8s/migrations.
        assertThat(conf.get("flyway.locations")).isEqualTo("filesystem:/flyway/sql");
        conf.put("flyway.locations", "filesystem:" + MigrationFiles.k8sDir());
        conf.put("flyway.connectRetries", "0");
        return Flyway.configure().configuration(conf).load();
    }

    private static boolean can(Connection c, String object, String privilege) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select has_table_privilege('bi_reader', '" + object + "', '" + privilege + "')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * What CloudNativePG makes of spec.managed.roles: the roles that are missing (login, the password of their
     * Secret, here "name-secret"), then each role's memberships (inRoles).
     */
    private static void createManagedRoles() throws SQLException {
        JsonNode roles = Manifests.one("Cluster", "clickstream-db").spec().path("managed").path("roles");
        try (Connection c = superuser(); Statement s = c.createStatement()) {
            for (JsonNode role : roles) {
                String name = role.path("name").asText();
                try (ResultSet rs = s.executeQuery("select 1 from pg_roles where rolname = '" + name + "'")) {
                    if (rs.next()) {
                        continue;
                    }
                }
                s.execute("create role " + name + (role.path("login").asBoolean() ? " login" : "") + " password '"
                        + name + "-secret'");
            }
            for (JsonNode role : roles) {
                for (JsonNode in : role.path("inRoles")) {
                    s.execute("grant " + in.asText() + " to " + role.path("name").asText());
                }
            }
        }
    }

    @Test
    void migratesOnceRetriesUntilTheRolesExistAndGrantsEachRoleExactlyItsObjects() throws Exception {
        // CloudNativePG has not created the roles yet: the migration that grants them (V5) fails (the owner may
        // not create roles), the Job fails and Kubernetes runs it again.
        assertThatThrownBy(() -> jobFlyway().migrate()).isInstanceOf(FlywayException.class)
                .hasMessageContaining("V5__roles.sql").hasMessageContaining("permission denied to create role");
        createManagedRoles();
        var second = jobFlyway().migrate();
        assertThat(second.success).isTrue();
        var third = jobFlyway().migrate(); // a re-run of the Job changes nothing
        assertThat(third.migrationsExecuted).isZero();
        assertThat(jobFlyway().info().applied()).extracting(m -> m.getVersion().getVersion())
                .containsExactlyElementsOf(MigrationFiles.schemaMigrations().stream()
                        .map(p -> p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1")).toList());

        try (Connection c = DriverManager.getConnection(url("clickstream"), "clickstream", "app-secret")) {
            for (String o : List.of("sessions", "bi_daily_sessions", "bi_user_daily_sessions", "bi_top_landing_pages", "bi_channels")) {
                assertThat(can(c, o, "SELECT")).as("bi_reader SELECT " + o).isTrue();
                for (String w : List.of("INSERT", "UPDATE", "DELETE", "TRUNCATE")) assertThat(can(c, o, w)).as(w + " " + o).isFalse();
            }
            for (String o : List.of("sessions_rejected", "flyway_schema_history")) {
                assertThat(can(c, o, "SELECT")).as("bi_reader SELECT " + o).isFalse();
            }
        }
        try (Connection bi = DriverManager.getConnection(url("clickstream"), "bi_reader", "bi_reader-secret");
             Statement s = bi.createStatement()) {
            for (String v : List.of("bi_daily_sessions", "bi_user_daily_sessions", "bi_top_landing_pages", "bi_channels", "sessions")) {
                try (ResultSet rs = s.executeQuery("select count(*) from " + v)) {
                    assertThat(rs.next()).isTrue();
                }
            }
            assertThatThrownBy(() -> s.executeQuery("select count(*) from sessions_rejected"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("delete from sessions")).hasMessageContaining("permission denied");
        }
        // The job roles: the bounds V5 set as each role (the owner is a member), and what each may do.
        try (Connection api = DriverManager.getConnection(url("clickstream"), "clickstream_api", "clickstream_api-secret");
             Statement s = api.createStatement()) {
            try (ResultSet rs = s.executeQuery("select current_setting('statement_timeout'),"
                    + " current_setting('default_transaction_read_only'), count(*) from bi_daily_sessions")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("10s");
                assertThat(rs.getString(2)).isEqualTo("on");
            }
            assertThatThrownBy(() -> s.executeQuery("select count(*) from flink_sink_transactions"))
                    .hasMessageContaining("permission denied");
        }
        try (Connection sink = DriverManager.getConnection(url("clickstream"), "clickstream_sink", "clickstream_sink-secret");
             Statement s = sink.createStatement()) {
            try (ResultSet rs = s.executeQuery("select current_setting('idle_in_transaction_session_timeout')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("15min");
            }
            assertThat(s.executeUpdate("insert into flink_sink_transactions (gid, pipeline, subtask, checkpoint_id,"
                    + " job_id, row_count) values ('g', 'p', 0, 1, 'j', 0)")).isEqualTo(1);
            assertThatThrownBy(() -> s.executeQuery("select user_id from sessions")).hasMessageContaining("permission denied");
        }
    }
}
