package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code kubectl kustomize k8s} builds, and its output is exactly the manifests of k8s/ plus the
 * generated ConfigMaps, all in the namespace clickstream, every one conforming to its model.
 * Without kubectl on the PATH (or at -Dk8s.kubectl=PATH) the test is skipped, unless CI=true or
 * -Dk8s.kubectl.required=true, where it fails. Needs kubectl 1.21 or later (kustomize v4+, which reads
 * {@code patches}); the build must print no warning, so a field kustomize deprecates fails the test.
 */
class KustomizeBuildTest {

    private static List<Manifests.Doc> built;

    static Optional<Path> kubectl() {
        String explicit = System.getProperty("k8s.kubectl", "");
        if (!explicit.isEmpty()) return Optional.of(Path.of(explicit)).filter(Files::isExecutable);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** The client's minor version, from {@code kubectl version --client -o json} (0 when it cannot be read). */
    static int clientMinorVersion(Path kubectl) throws Exception {
        Process p = new ProcessBuilder(kubectl.toString(), "version", "--client", "-o", "json")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return 0;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"minor\"\\s*:\\s*\"(\\d+)").matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static boolean required() {
        return Boolean.getBoolean("k8s.kubectl.required") || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    @BeforeAll
    static void build() throws Exception {
        Optional<Path> kubectl = kubectl();
        if (kubectl.isEmpty()) {
            if (required()) fail("kubectl is not on the PATH, and CI=true or -Dk8s.kubectl.required=true requires it");
            Assumptions.abort("kubectl not installed: kustomize build not checked");
        }
        int minor = clientMinorVersion(kubectl.get());
        // A kubectl older than 1.21 embeds kustomize v2, which cannot read `patches`: nothing to learn from it.
        Assumptions.assumeTrue(minor >= 21, "kubectl 1." + minor + " is older than 1.21: kustomize build not checked");
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", Manifests.k8sDir().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("kubectl kustomize did not finish in 120 s");
        }
        String errors = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("kubectl kustomize k8s: " + errors).isZero();
        // kustomize reports deprecated fields (e.g. patchesStrategicMerge since v5) as warnings on stderr.
        assertThat(errors).as("kubectl kustomize k8s printed warnings").isBlank();
        built = Manifests.parse(out, Files.readString(out, StandardCharsets.UTF_8));
    }

    private static Set<String> ids(List<Manifests.Doc> docs) {
        return docs.stream().map(d -> d.kind() + "/" + d.name()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void buildsEveryManifestOfTheFolderPlusTheGeneratedConfigMaps() {
        Set<String> expected = ids(Manifests.all());
        Set<String> actual = ids(built);
        assertThat(actual).containsAll(expected);
        Set<String> generated = new TreeSet<>(actual);
        generated.removeAll(expected);
        assertThat(generated).hasSize(2).allMatch(id -> id.startsWith("ConfigMap/"));
        assertThat(generated).anyMatch(id -> id.equals("ConfigMap/clickstream-grafana-dashboard"));
        assertThat(generated).anyMatch(id -> id.equals("ConfigMap/clickstream-db-migrations"));
    }

    @Test
    void everythingIsInTheNamespaceClickstream() {
        for (Manifests.Doc d : built) {
            if (d.kind().equals("Namespace")) assertThat(d.name()).isEqualTo("clickstream");
            else assertThat(d.namespace()).as(d.toString()).isEqualTo("clickstream");
        }
    }

    @Test
    void everyBuiltResourceConformsToItsModel() {
        for (Manifests.Doc d : built) assertThat(StrictModels.problems(d.tree())).as(d.toString()).isEmpty();
    }

    @Test
    void theMigrationJobMountsTheGeneratedMigrations() {
        Manifests.Doc job = built.stream().filter(d -> d.kind().equals("Job") && d.name().equals("clickstream-db-migrate"))
                .findFirst().orElseThrow();
        String cm = job.spec().path("template").path("spec").path("volumes").findValue("configMap").path("name").asText();
        Manifests.Doc migrations = built.stream().filter(d -> d.kind().equals("ConfigMap") && d.name().equals(cm)).findFirst()
                .orElseThrow(() -> new AssertionError("the Job mounts " + cm + ", which the build does not contain"));
        JsonNode data = migrations.tree().path("data");
        for (Path f : MigrationFiles.k8sCopies()) {
            assertThat(data.path(f.getFileName().toString()).asText()).as(f.toString()).isEqualTo(SourceConfig.read(f));
        }
        assertThat(data.size()).isEqualTo(MigrationFiles.k8sCopies().size());
    }

    @Test
    void theDashboardConfigMapCarriesTheDashboardForTheGrafanaSidecar() throws Exception {
        Manifests.Doc cm = built.stream().filter(d -> d.name().equals("clickstream-grafana-dashboard")).findFirst().orElseThrow();
        assertThat(cm.tree().path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        JsonNode json = Manifests.YAML.readTree(cm.tree().path("data").path("clickstream-dashboard.json").asText());
        assertThat(json.path("uid").asText()).isEqualTo("clickstream-pipeline");
        assertThat(Map.of("panels", json.path("panels").size())).containsEntry("panels",
                Dashboard.load().path("panels").size());
    }
}
