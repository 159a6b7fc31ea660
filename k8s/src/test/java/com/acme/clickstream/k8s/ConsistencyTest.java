package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The manifests agree with each other and with the code of the other modules. */
class ConsistencyTest {

    static final String SESSIONIZER_IMAGE = "ghcr.io/acme/clickstream-sessionizer:1.0.0";
    static final String FLINK_IMAGE = "ghcr.io/acme/clickstream-flink-sink-job:1.0.0";

    /** The contract's topics (docs/contract.md, "Topics"), by the sessionizer's property suffix. */
    static final Map<String, String> CONTRACT_TOPICS = new LinkedHashMap<>();
    static {
        CONTRACT_TOPICS.put("EVENTS", "clickstream.events");
        CONTRACT_TOPICS.put("USERS", "clickstream.users");
        CONTRACT_TOPICS.put("PAGES", "clickstream.pages");
        CONTRACT_TOPICS.put("SESSIONS", "clickstream.sessions");
        CONTRACT_TOPICS.put("DLQ", "clickstream.events.dlq");
        CONTRACT_TOPICS.put("LATE", "clickstream.events.late");
    }

    private static Map<String, Env.Var> sessionizerEnv() {
        return Env.of(Consistency.sessionizerContainer());
    }

    private static Map<String, Env.Var> flinkEnv() {
        return Env.of(Consistency.flinkContainer());
    }

    private static Map<String, String> flinkConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("flinkConfiguration").fields()
                .forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    // --- probes --------------------------------------------------------------------------------

    @Test
    void sessionizerProbesAreQuarkusHealthEndpointsOnTheManagementPort() {
        JsonNode c = Consistency.sessionizerContainer();
        assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/started");
        assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(c.path(probe).path("httpGet").path("port").asText()).as(probe).isEqualTo("management");
        }
        // The API's port and Quarkus' management interface (quarkus.management.port of application.properties).
        assertThat(c.path("ports")).hasSize(2);
        assertThat(c.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(c.path("ports").get(1).path("name").asText()).isEqualTo("management");
        assertThat(c.path("ports").get(1).path("containerPort").asInt())
                .isEqualTo(Integer.parseInt(SourceConfig.sessionizerProperty("quarkus.management.port")));
    }

    // --- environment variables = real configuration ------------------------------------------------

    /** Variables that only feed $(NAME) expansion of other variables (downward API). */
    private static Set<String> expansionOnly(Map<String, Env.Var> env) {
        Set<String> aux = new TreeSet<>();
        for (Env.Var v : env.values()) {
            if (v.fieldRef() == null) continue;
            boolean used = env.values().stream().anyMatch(o -> o.value() != null && o.value().contains("$(" + v.name() + ")"));
            if (used) aux.add(v.name());
        }
        return aux;
    }

    @Test
    void everySessionizerVariableIsAPropertyOfTheSessionizer() {
        Assumptions.assumeTrue(SourceConfig.sessionizerConfigPresent(), "sessionizer configuration sources not written yet");
        Set<String> real = SourceConfig.sessionizerEnvNames();
        Map<String, Env.Var> env = sessionizerEnv();
        Set<String> unknown = new TreeSet<>(env.keySet());
        unknown.removeAll(real);
        unknown.removeAll(expansionOnly(env));
        assertThat(unknown).as("variables of k8s/sessionizer.yaml that no property of the sessionizer reads "
                + "(application.properties, @ConfigMapping, @ConfigProperty, SourceConfig.QUARKUS_BUILT_INS)").isEmpty();
    }

    @Test
    void thePropertyDerivationKnowsTheContractNamesAndRejectsATypo() {
        Assumptions.assumeTrue(SourceConfig.sessionizerConfigPresent(), "sessionizer configuration sources not written yet");
        Set<String> real = SourceConfig.sessionizerEnvNames();
        assertThat(real).contains("SESSIONIZER_INACTIVITY_GAP", "SESSIONIZER_MAX_DURATION", "SESSIONIZER_GRACE",
                "SESSIONIZER_IDLE_ADVANCE_AFTER", "SESSIONIZER_DEDUP_WINDOW", "SESSIONIZER_MAX_FUTURE_SKEW",
                "SESSIONIZER_SPLIT_ON_CAMPAIGN", "SESSIONIZER_DAY_BOUNDARY_ZONE", "SESSIONIZER_TOPICS_EVENTS",
                "SESSIONIZER_TOPICS_LATE", "KAFKA_STREAMS_STATE_DIR", "QUARKUS_DATASOURCE_JDBC_URL");
        assertThat(real).doesNotContain("SESSIONIZER_INACTIVTY_GAP", "SESSIONIZER_TOPIC_EVENTS", "KAFKA_STREAMS_STATEDIR");
    }

    @Test
    void everyFlinkJobVariableIsReadBySinkJobConfig() {
        var source = SourceConfig.sinkJobConfig();
        Assumptions.assumeTrue(source.isPresent(), "flink-sink-job SinkJobConfig not written yet");
        Set<String> real = new TreeSet<>(SourceConfig.flinkEnvNames(source.get()));
        // Read by the AWS SDK of the S3 filesystem plugin (checkpoint storage), not by the job.
        real.addAll(Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"));
        Set<String> unknown = new TreeSet<>(flinkEnv().keySet());
        unknown.removeAll(real);
        assertThat(unknown).as("variables of k8s/flink.yaml that SinkJobConfig does not read").isEmpty();
    }

    // --- topics ------------------------------------------------------------------------------------

    @Test
    void topicsOfTheServiceTheJobAndStrimziAreTheContractsTopics() {
        Map<String, Env.Var> env = sessionizerEnv();
        for (var e : CONTRACT_TOPICS.entrySet()) {
            assertThat(env.get("SESSIONIZER_TOPICS_" + e.getKey()).value()).isEqualTo(e.getValue());
        }
        List<Manifests.Doc> topics = Manifests.ofKind("KafkaTopic");
        assertThat(topics).extracting(t -> t.spec().path("topicName").asText())
                .containsExactlyInAnyOrderElementsOf(CONTRACT_TOPICS.values());
        for (Manifests.Doc t : topics) {
            assertThat(t.name()).isEqualTo(t.spec().path("topicName").asText());
            assertThat(t.tree().path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(Manifests.ofKind("Kafka").get(0).name());
        }
        assertThat(flinkEnv().get("SESSIONS_TOPIC").value()).isEqualTo(env.get("SESSIONIZER_TOPICS_SESSIONS").value());
    }

    @Test
    void topicsHaveTheContractsCleanupPolicyAndSafeReplication() {
        int brokers = Manifests.ofKind("KafkaNodePool").stream()
                .filter(p -> p.spec().path("roles").toString().contains("broker"))
                .mapToInt(p -> p.spec().path("replicas").asInt()).sum();
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        Manifests.ofKind("KafkaTopic").forEach(t -> byName.put(t.name(), t.spec()));
        for (var t : byName.entrySet()) {
            boolean compacted = t.getKey().equals("clickstream.users") || t.getKey().equals("clickstream.pages");
            JsonNode spec = t.getValue();
            assertThat(spec.path("config").path("cleanup.policy").asText()).as(t.getKey()).isEqualTo(compacted ? "compact" : "delete");
            assertThat(spec.path("replicas").asInt()).as(t.getKey()).isEqualTo(3).isLessThanOrEqualTo(brokers);
            assertThat(spec.path("config").path("min.insync.replicas").asInt()).as(t.getKey()).isEqualTo(2);
            if (!compacted) assertThat(spec.path("config").path("retention.ms").asLong()).as(t.getKey()).isGreaterThanOrEqualTo(Duration.ofDays(7).toMillis());
        }
        // users and pages are global stores of the sessionizer (read whole): no co-partitioning needed.
        String topology = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_SOURCES
                .resolve("com/acme/clickstream/sessionizer/streams/SessionizerTopology.java")));
        assertThat(topology).contains("addGlobalStore");
        // The sessionizer cannot use more instances than events partitions.
        assertThat(Manifests.one("StatefulSet", "sessionizer").spec().path("replicas").asInt())
                .isLessThanOrEqualTo(byName.get("clickstream.events").path("partitions").asInt());
        // The Flink source cannot use more subtasks than sessions partitions.
        assertThat(Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("job").path("parallelism").asInt())
                .isLessThanOrEqualTo(byName.get("clickstream.sessions").path("partitions").asInt());
    }

    @Test
    void theKafkaStreamsApplicationIdIsTheContractsOne() {
        Assumptions.assumeTrue(SourceConfig.sessionizerConfigPresent(), "sessionizer configuration sources not written yet");
        String props = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_PROPERTIES));
        assertThat(props).containsPattern("(?m)^quarkus\\.kafka-streams\\.application-id=clickstream-sessionizer$");
        assertThat(sessionizerEnv()).doesNotContainKey("QUARKUS_KAFKA_STREAMS_APPLICATION_ID");
    }

    // --- addresses, secrets, images, ports -----------------------------------------------------------

    @Test
    void kafkaAndPostgresqlAddressesAreTheOperatorsServices() {
        Map<String, Env.Var> s = sessionizerEnv();
        Map<String, Env.Var> f = flinkEnv();
        assertThat(s.get("KAFKA_BOOTSTRAP_SERVERS").value()).isEqualTo(Consistency.kafkaBootstrap());
        assertThat(f.get("KAFKA_BOOTSTRAP_SERVERS").value()).isEqualTo(Consistency.kafkaBootstrap());
        // The sessionizer only reads (history and KPIs): from the replicas. The sink writes to the primary.
        assertThat(s.get("QUARKUS_DATASOURCE_JDBC_URL").value()).isEqualTo(Consistency.reportingJdbcUrl());
        assertThat(f.get("JDBC_URL").value()).isEqualTo(Consistency.jdbcUrl());
        // One role per job (schema V5), each from the Secret of its managed role in postgres.yaml; the schema
        // owner's (clickstream-db-app) is the migration Job's only.
        Map<String, String> roleSecrets = new LinkedHashMap<>();
        Manifests.one("Cluster", "clickstream-db").spec().path("managed").path("roles").forEach(r ->
                roleSecrets.put(r.path("name").asText(), r.path("passwordSecret").path("name").asText()));
        String api = roleSecrets.get("clickstream_api");
        String sink = roleSecrets.get("clickstream_sink");
        assertThat(api).isEqualTo("clickstream-db-api");
        assertThat(sink).isEqualTo("clickstream-db-sink");
        assertThat(s.get("QUARKUS_DATASOURCE_USERNAME").secret()).isEqualTo(api + "/username");
        assertThat(s.get("QUARKUS_DATASOURCE_PASSWORD").secret()).isEqualTo(api + "/password");
        assertThat(f.get("JDBC_USER").secret()).isEqualTo(sink + "/username");
        assertThat(f.get("JDBC_PASSWORD").secret()).isEqualTo(sink + "/password");
    }

    @Test
    void theSessionizerReadsFromTheReplicasAndLeavesTheMigrationsToTheJobOnThePrimary() {
        Map<String, Env.Var> s = sessionizerEnv();
        assertThat(Manifests.one("Cluster", "clickstream-db").spec().path("instances").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(s.get("QUARKUS_DATASOURCE_JDBC_URL").value()).contains("clickstream-db-ro.");
        // Flyway in the sessionizer would use that datasource, a read-only replica: it must not run there.
        assertThat(s.get("QUARKUS_FLYWAY_MIGRATE_AT_START").value()).isEqualTo("false");
        assertThat(s).doesNotContainKeys("SESSIONIZER_MIGRATE_AT_START", "QUARKUS_FLYWAY_USERNAME",
                "QUARKUS_FLYWAY_PASSWORD");
        JsonNode job = Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("spec");
        assertThat(Env.literal(job.path("containers").get(0), "FLYWAY_URL")).isEqualTo(Consistency.jdbcUrl())
                .contains("clickstream-db-rw.");
    }

    /**
     * The job graph holds no secret: the Kafka clients (the source's enumerator on the JobManager, its readers on the
     * TaskManagers) and the sinks (TaskManagers; the preflight check where main runs, the JobManager) read the JAAS
     * line and the PostgreSQL password at run time from their own environment. So both come from the pod template
     * that the operator merges into the JobManager and the TaskManager pods, no per-role template replaces it, no
     * job argument carries a credential, and no JVM option restricts Kafka's config providers to a list without
     * the one the job names.
     */
    @Test
    void theSecretsTheJobReadsAtRunTimeReachTheJobManagerAndTheTaskManagers() {
        JsonNode spec = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec();
        Map<String, Env.Var> f = flinkEnv();
        assertThat(f.get("KAFKA_SASL_JAAS_CONFIG").secret()).isEqualTo("clickstream-flink-sink/sasl.jaas.config");
        assertThat(f.get("JDBC_PASSWORD").secret()).isEqualTo("clickstream-db-sink/password");
        for (String role : List.of("jobManager", "taskManager")) {
            assertThat(spec.path(role).has("podTemplate")).as(role + ".podTemplate (would not carry the secrets)")
                    .isFalse();
        }
        for (JsonNode arg : spec.path("job").path("args")) {
            assertThat(arg.asText()).as("job argument").doesNotContainIgnoringCase("password")
                    .doesNotContainIgnoringCase("jaas");
        }
        spec.path("flinkConfiguration").fields().forEachRemaining(e -> {
            if (e.getValue().asText().contains("org.apache.kafka.automatic.config.providers")) {
                assertThat(e.getValue().asText()).as(e.getKey())
                        .contains("com.acme.clickstream.flink.config.RequiredEnvVarConfigProvider");
            }
        });
    }

    /** Every PostgreSQL client (sessionizer, Flink job, migration Job) mounts the CA its JDBC URL verifies against. */
    @Test
    void everyPostgresqlClientVerifiesTheServerAgainstTheMountedClusterCa() {
        JsonNode job = Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("spec");
        JsonNode flinkPod = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate").path("spec");
        Map<String, JsonNode[]> clients = new LinkedHashMap<>();
        clients.put("sessionizer", new JsonNode[] {Consistency.sessionizerPod().path("spec"), Consistency.sessionizerContainer()});
        clients.put("flink", new JsonNode[] {flinkPod, Consistency.flinkContainer()});
        clients.put("migrate", new JsonNode[] {job, job.path("containers").get(0)});
        assertThat(Consistency.jdbcUrl()).contains("sslmode=verify-full");
        for (Map.Entry<String, JsonNode[]> client : clients.entrySet()) {
            JsonNode pod = client.getValue()[0];
            JsonNode container = client.getValue()[1];
            String volume = null;
            for (JsonNode m : container.path("volumeMounts")) {
                if (m.path("mountPath").asText().equals(Consistency.POSTGRES_CA_DIR)) volume = m.path("name").asText();
            }
            assertThat(volume).as(client.getKey() + " mounts " + Consistency.POSTGRES_CA_DIR).isNotNull();
            JsonNode source = null;
            for (JsonNode v : pod.path("volumes")) if (v.path("name").asText().equals(volume)) source = v;
            assertThat(source).as(client.getKey() + " volume " + volume).isNotNull();
            assertThat(source.path("secret").path("secretName").asText()).as(client.getKey()).isEqualTo(Consistency.caSecret());
            assertThat(source.path("secret").path("items").get(0).path("key").asText()).isEqualTo("ca.crt");
            assertThat(source.path("secret").path("items").get(0).path("path").asText()).isEqualTo("ca.crt");
        }
    }

    @Test
    void eachSessionizerAdvertisesItsOwnPodAddressThroughTheHeadlessService() {
        JsonNode sts = Manifests.one("StatefulSet", "sessionizer").spec();
        String headless = sts.path("serviceName").asText();
        JsonNode svc = Manifests.one("Service", headless).spec();
        assertThat(svc.path("clusterIP").asText()).isEqualTo("None");
        assertThat(svc.path("publishNotReadyAddresses").asBoolean()).isTrue();
        Map<String, Env.Var> env = sessionizerEnv();
        assertThat(env.get("POD_NAME").fieldRef()).isEqualTo("metadata.name");
        assertThat(env.get("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER").value())
                .isEqualTo("$(POD_NAME)." + headless + "." + Consistency.NAMESPACE + ".svc.cluster.local:"
                        + Consistency.sessionizerContainer().path("ports").get(0).path("containerPort").asInt());
        // Kubernetes expands $(POD_NAME) only when POD_NAME is defined before the variable that uses it.
        List<String> order = new ArrayList<>(env.keySet());
        assertThat(order.indexOf("POD_NAME")).isLessThan(order.indexOf("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER"));
    }

    @Test
    void imagesAreTheAgreedOnes() throws Exception {
        assertThat(Consistency.sessionizerContainer().path("image").asText()).isEqualTo(SESSIONIZER_IMAGE);
        JsonNode fd = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec();
        assertThat(fd.path("image").asText()).isEqualTo(FLINK_IMAGE);
        assertThat(Consistency.flinkContainer().has("image")).as("the image is spec.image only").isFalse();
        // No other image of ours anywhere, and no mutable tags.
        for (Manifests.Doc d : Manifests.all()) {
            for (String image : d.tree().findValuesAsText("image")) {
                if (image.startsWith("ghcr.io/acme/")) assertThat(image).isIn(SESSIONIZER_IMAGE, FLINK_IMAGE);
                assertThat(image).as(d + " pins a version").matches(".+:[0-9][\\w.-]*").doesNotEndWith(":latest");
            }
        }
    }

    @Test
    void theFlinkImageIsBuiltFromTheOfficialImageOfTheJobsFlinkVersionWithTheJarWhereTheDeploymentLooks() throws Exception {
        String dockerfile = Files.readString(Manifests.repoRoot().resolve("flink-sink-job/Dockerfile"));
        String pom = Files.readString(Manifests.repoRoot().resolve("pom.xml"));
        Matcher v = Pattern.compile("<flink.version>([^<]+)</flink.version>").matcher(pom);
        assertThat(v.find()).isTrue();
        assertThat(dockerfile).containsPattern("(?m)^FROM flink:" + Pattern.quote(v.group(1)) + "-scala_2\\.12-java17$");
        Matcher copy = Pattern.compile("(?m)^COPY (?:--chown=\\S+ )?target/(\\S+\\.jar) (\\S+)$").matcher(dockerfile);
        assertThat(copy.find()).isTrue();
        assertThat(copy.group(1)).isEqualTo("flink-sink-job-1.0.0-SNAPSHOT.jar");
        // The plugins the configuration needs are in the image: the Prometheus reporter and, for s3://
        // checkpoints, an S3 filesystem.
        assertThat(dockerfile).contains("plugins/metrics-prometheus/").containsPattern("cp /opt/flink/opt/flink-s3-fs-(hadoop|presto)-\\*\\.jar");
        assertThat(flinkConf().get("execution.checkpointing.dir")).startsWith("s3://");
        JsonNode podSecurity = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate").path("spec").path("securityContext");
        assertThat(dockerfile).containsPattern("(?m)^USER " + podSecurity.path("runAsUser").asInt() + ":" + podSecurity.path("runAsGroup").asInt() + "$");
        JsonNode job = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local://" + copy.group(2)).isEqualTo("local:///opt/flink/usrlib/flink-sink-job.jar");
        assertThat(job.path("entryClass").asText()).isEqualTo("com.acme.clickstream.flink.SessionSinkMain");
        Path main = Manifests.repoRoot().resolve("flink-sink-job/src/main/java/com/acme/clickstream/flink/SessionSinkMain.java");
        Assumptions.assumeTrue(Files.exists(main), "SessionSinkMain not written yet");
        assertThat(SourceConfig.read(main)).contains("public static void main(");
    }

    @Test
    void theSessionizerImagesMatchThePodSpec() {
        Path docker = Manifests.repoRoot().resolve("sessionizer/src/main/docker");
        Assumptions.assumeTrue(Files.isDirectory(docker), "sessionizer Dockerfiles not written yet");
        JsonNode pod = Consistency.sessionizerPod().path("spec");
        String stateDir = sessionizerEnv().get("KAFKA_STREAMS_STATE_DIR").value();
        int port = Consistency.sessionizerContainer().path("ports").get(0).path("containerPort").asInt();
        for (String name : List.of("Dockerfile.jvm", "Dockerfile.native")) {
            String df = SourceConfig.read(docker.resolve(name));
            assertThat(df).as(name).containsPattern("(?m)^EXPOSE " + port + "$");
            assertThat(df).as(name).containsPattern("(?m)^VOLUME " + Pattern.quote(stateDir) + "$");
            assertThat(df).as(name).containsPattern("(?m)^USER \\d+$"); // numeric: runAsNonRoot can verify it
        }
        // The JVM image's user is the pod's; the native image's binary is world-executable (0755).
        assertThat(SourceConfig.read(docker.resolve("Dockerfile.jvm")))
                .containsPattern("(?m)^USER " + pod.path("securityContext").path("runAsUser").asInt() + "$");
        assertThat(SourceConfig.read(docker.resolve("Dockerfile.native"))).contains("--chmod=0755");
        // The header cache is sized for the parallel collector (sessionizer README, "Header cache and the parallel
        // collector"): the JVM image runs it, and writes its class archive under it.
        String jvm = SourceConfig.read(docker.resolve("Dockerfile.jvm"));
        assertThat(jvm).containsPattern("(?m)^ENV JAVA_OPTS_APPEND=\"[^\"]*-XX:\\+UseParallelGC[ \"]");
        assertThat(jvm).containsPattern("(?m)^RUN java [^\\n]*-XX:\\+UseParallelGC -XX:ArchiveClassesAtExit");
    }

    @Test
    void servicesMonitorsAndBudgetsSelectThePodsTheyMeanOnTheirPorts() {
        JsonNode pod = Consistency.sessionizerPod();
        Map<String, String> podLabels = labels(pod.path("metadata").path("labels"));
        for (String name : List.of("sessionizer", "sessionizer-headless")) {
            JsonNode svc = Manifests.one("Service", name).spec();
            assertThat(podLabels).as(name).containsAllEntriesOf(labels(svc.path("selector")));
            // The client Service has the API only; the headless one also health and metrics, for Prometheus.
            assertThat(svc.path("ports")).hasSize(name.equals("sessionizer") ? 1 : 2);
            assertThat(svc.path("ports").get(0).path("port").asInt()).isEqualTo(8080);
            assertThat(svc.path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
            assertThat(svc.path("ports").get(0).path("name").asText()).isEqualTo("http");
        }
        JsonNode headlessManagement = Manifests.one("Service", "sessionizer-headless").spec().path("ports").get(1);
        assertThat(headlessManagement.path("name").asText()).isEqualTo("management");
        assertThat(headlessManagement.path("port").asInt()).isEqualTo(9000);
        assertThat(headlessManagement.path("targetPort").asText()).isEqualTo("management");
        assertThat(podLabels).containsAllEntriesOf(labels(Manifests.one("StatefulSet", "sessionizer").spec().path("selector").path("matchLabels")));
        assertThat(podLabels).containsAllEntriesOf(labels(Manifests.one("PodDisruptionBudget", "sessionizer").spec().path("selector").path("matchLabels")));

        // The ServiceMonitor selects exactly one Service (no double scrape) and scrapes /q/metrics on "management".
        JsonNode sm = Manifests.one("ServiceMonitor", "sessionizer").spec();
        Map<String, String> smSel = labels(sm.path("selector").path("matchLabels"));
        List<String> selected = Manifests.ofKind("Service").stream()
                .filter(s -> labels(s.tree().path("metadata").path("labels")).entrySet().containsAll(smSel.entrySet()))
                .map(Manifests.Doc::name).toList();
        assertThat(selected).containsExactly("sessionizer-headless");
        assertThat(sm.path("endpoints").get(0).path("port").asText()).isEqualTo("management");
        assertThat(sm.path("endpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");

        // Flink: the PodMonitor's port is the reporter's port, declared on the main container.
        JsonNode pm = Manifests.one("PodMonitor", "flink-sink-job").spec();
        JsonNode fdPod = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate");
        assertThat(labels(fdPod.path("metadata").path("labels"))).containsAllEntriesOf(labels(pm.path("selector").path("matchLabels")));
        String portName = pm.path("podMetricsEndpoints").get(0).path("port").asText();
        JsonNode port = null;
        for (JsonNode p : Consistency.flinkContainer().path("ports")) if (p.path("name").asText().equals(portName)) port = p;
        assertThat(port).as("port " + portName + " on flink-main-container").isNotNull();
        assertThat(port.path("containerPort").asText()).isEqualTo(flinkConf().get("metrics.reporter.prom.port"));
        assertThat(flinkConf().get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void everyResourceAndPodCarriesTheAgreedLabels() {
        for (Manifests.Doc d : Manifests.all()) {
            Map<String, String> l = labels(d.tree().path("metadata").path("labels"));
            assertThat(l).as(d.toString()).containsKeys("app.kubernetes.io/name", "app.kubernetes.io/component")
                    .containsEntry("app.kubernetes.io/part-of", "clickstream");
            assertThat(d.namespace().isEmpty() ? d.name() : d.namespace()).as(d.toString()).isEqualTo("clickstream");
        }
        List<JsonNode> pods = List.of(Consistency.sessionizerPod(),
                Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate"),
                Manifests.one("Job", "clickstream-db-migrate").spec().path("template"));
        for (JsonNode p : pods) {
            assertThat(labels(p.path("metadata").path("labels"))).containsKeys("app.kubernetes.io/name", "app.kubernetes.io/component")
                    .containsEntry("app.kubernetes.io/part-of", "clickstream");
        }
    }

    // --- Flink: exactly once, state kept, sizes agree ------------------------------------------------

    @Test
    void theFlinkJobKeepsItsStateAcrossUpgradesAndFailures() {
        JsonNode spec = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec();
        Map<String, String> conf = flinkConf();
        assertThat(spec.path("job").path("upgradeMode").asText()).isIn("last-state", "savepoint");
        assertThat(spec.path("job").path("state").asText()).isEqualTo("running");
        assertThat(conf).containsEntry("high-availability.type", "kubernetes");
        assertThat(conf).containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE");
        for (String dir : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir")) {
            assertThat(conf.get(dir)).as(dir + " on durable storage").matches("(s3|s3p|gs|abfss|wasbs|hdfs|oss)://.+");
        }
        Map<String, Env.Var> env = flinkEnv();
        assertThat(env.get("CHECKPOINT_DIR").value()).isEqualTo(conf.get("execution.checkpointing.dir"));
        Duration interval = Duration.parse(env.get("CHECKPOINT_INTERVAL").value());
        Duration timeout = Duration.parse(env.get("CHECKPOINT_TIMEOUT").value());
        assertThat(interval).isEqualTo(flinkDuration(conf.get("execution.checkpointing.interval")));
        assertThat(timeout).isEqualTo(flinkDuration(conf.get("execution.checkpointing.timeout")));
        // The sink's lock timeout is a positive ISO-8601 duration (SinkJobConfig); the XA sink's orphan settings are gone.
        Env.Var lockTimeout = env.get("LOCK_TIMEOUT");
        assertThat(lockTimeout == null ? Duration.ofSeconds(30) : Duration.parse(lockTimeout.value())).isPositive();
        assertThat(env).doesNotContainKeys("ROLLBACK_ORPHANED_XA", "ORPHAN_MIN_AGE", "ORPHAN_CHECK_INTERVAL");
        // One source of truth for the parallelism: spec.job.parallelism, which the operator passes as
        // parallelism.default and the job keeps unless PARALLELISM is set (SessionSinkJob).
        assertThat(env).doesNotContainKey("PARALLELISM");
        assertThat(spec.path("job").path("parallelism").asInt()).isPositive();
        assertThat(flinkConf()).doesNotContainKey("parallelism.default");
        String job = SourceConfig.read(SourceConfig.repo(SourceConfig.FLINK_SOURCES.resolve("SessionSinkJob.java")));
        assertThat(job).contains("config.parallelismSetting().ifPresent(env::setParallelism)")
                .doesNotContain("env.setParallelism(config.parallelism())");
    }

    @Test
    void postgresqlAllowsEnoughPreparedTransactionsForTheSink() {
        JsonNode spec = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec();
        int parallelism = spec.path("job").path("parallelism").asInt();
        int concurrent = Integer.parseInt(flinkConf().getOrDefault("execution.checkpointing.max-concurrent-checkpoints", "1"));
        int maxPrepared = Integer.parseInt(Manifests.one("Cluster", "clickstream-db").spec().path("postgresql")
                .path("parameters").path("max_prepared_transactions").asText());
        // One prepared transaction per subtask and pending checkpoint, twice over for rescaling and orphans.
        assertThat(maxPrepared).isGreaterThanOrEqualTo(2 * parallelism * (concurrent + 1));
        // And so at the largest parallelism the README promises (the partitions of clickstream.sessions): a
        // rescale up to it needs no PostgreSQL restart.
        int sessionsPartitions = Manifests.ofKind("KafkaTopic").stream()
                .filter(t -> t.spec().path("topicName").asText(t.name()).equals("clickstream.sessions")
                        || t.name().equals("clickstream.sessions"))
                .findFirst().orElseThrow().spec().path("partitions").asInt();
        assertThat(sessionsPartitions).isEqualTo(12);
        assertThat(SourceConfig.read(Manifests.repoRoot().resolve("k8s/README.md")))
                .contains("up to " + sessionsPartitions + ", the partitions of `clickstream.sessions`");
        assertThat(maxPrepared).isGreaterThanOrEqualTo(2 * sessionsPartitions * (concurrent + 1));
        int maxConnections = Integer.parseInt(Manifests.one("Cluster", "clickstream-db").spec().path("postgresql")
                .path("parameters").path("max_connections").asText());
        assertThat(maxConnections).isGreaterThan(maxPrepared);
    }

    @Test
    void everyFlinkConfigurationKeyIsAnOptionOfTheJobsFlinkVersionOrOfTheOperator() {
        Set<String> known = FlinkOptions.keys();
        assertThat(known).contains("execution.checkpointing.dir", "high-availability.type", "taskmanager.numberOfTaskSlots");
        assertThat(known).doesNotContain("state.checkpoints.dir"); // Flink 1.x name, gone in 2.0
        Set<String> unknown = new TreeSet<>();
        for (String key : flinkConf().keySet()) {
            if (key.startsWith("kubernetes.operator.")) continue; // the operator's own options
            if (key.startsWith("s3.")) continue; // the S3 filesystem plugin's options (fs.s3a.* in Hadoop)
            if (key.matches("metrics\\.reporter\\.[a-z]+\\.(factory\\.class|port|interval|scope\\.delimiter)")) continue;
            if (!known.contains(key)) unknown.add(key);
        }
        assertThat(unknown).as("flinkConfiguration keys that Flink " + FlinkOptions.VERSION + " does not know").isEmpty();
        // Every value parses as its option's type (durations, enums, booleans, numbers).
        org.apache.flink.configuration.Configuration parsed = org.apache.flink.configuration.Configuration.fromMap(flinkConf());
        for (var o : FlinkOptions.options().entrySet()) {
            if (!flinkConf().containsKey(o.getKey())) continue;
            try {
                assertThat((Object) parsed.get(o.getValue())).as(o.getKey()).isNotNull();
            } catch (IllegalArgumentException e) {
                throw new AssertionError(o.getKey() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void theFlinkConfigurationCheckRejectsABadValue() {
        var option = FlinkOptions.options().get("execution.checkpointing.externalized-checkpoint-retention");
        var conf = org.apache.flink.configuration.Configuration.fromMap(Map.of(option.key(), "RETAIN_ON_CANCEL"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> conf.get(option)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyTopicConfigIsAKafkaTopicConfig() throws Exception {
        Set<String> topicConfigs = new TreeSet<>();
        for (var f : org.apache.kafka.common.config.TopicConfig.class.getFields()) {
            if (f.getName().endsWith("_CONFIG")) topicConfigs.add((String) f.get(null));
        }
        assertThat(topicConfigs).contains("cleanup.policy", "retention.ms", "min.insync.replicas");
        for (Manifests.Doc t : Manifests.ofKind("KafkaTopic")) {
            t.spec().path("config").fieldNames().forEachRemaining(k -> assertThat(k).as(t.toString()).isIn(topicConfigs));
        }
    }

    static Duration flinkDuration(String s) {
        Matcher m = Pattern.compile("(\\d+)\\s*(ms|s|min|h|d)").matcher(s);
        assertThat(m.matches()).as(s).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    // --- the sessionizer: hardening and fast failover -------------------------------------------------

    @Test
    void theSessionizerIsHardenedSizedAndFailsOverFast() {
        JsonNode sts = Manifests.one("StatefulSet", "sessionizer").spec();
        assertThat(sts.path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode pod = sts.path("template").path("spec");
        JsonNode c = Consistency.sessionizerContainer();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
        assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        JsonNode sc = c.path("securityContext");
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(sc.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(sc.has("privileged") && sc.path("privileged").asBoolean()).isFalse();
        for (String kind : List.of("requests", "limits")) {
            assertThat(c.path("resources").path(kind).has("cpu")).as(kind + ".cpu").isTrue();
            assertThat(c.path("resources").path(kind).has("memory")).as(kind + ".memory").isTrue();
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
        Map<String, Env.Var> env = sessionizerEnv();
        String stateDir = env.get("KAFKA_STREAMS_STATE_DIR").value();
        assertThat(stateDir).isEqualTo("/var/lib/sessionizer/state");
        assertThat(mounts).containsKeys("/tmp", stateDir);
        assertThat(sts.path("volumeClaimTemplates").findValuesAsText("name")).contains(mounts.get(stateDir));
        boolean tmpIsEmptyDir = false;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(mounts.get("/tmp"))) tmpIsEmptyDir = v.has("emptyDir");
        }
        assertThat(tmpIsEmptyDir).isTrue();
        assertThat(env.get("KAFKA_STREAMS_NUM_STANDBY_REPLICAS").value()).isEqualTo("1");
        assertThat(Integer.parseInt(env.get("KAFKA_STREAMS_REPLICATION_FACTOR").value())).isEqualTo(3);
        assertThat(pod.path("enableServiceLinks").asBoolean(true)).as("no SERVICE_* variables read as configuration").isFalse();
        JsonNode pdb = Manifests.one("PodDisruptionBudget", "sessionizer").spec();
        assertThat(pdb.path("maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void eachSessionizerIsAStaticMemberWithTimeToCloseCleanly() {
        Map<String, Env.Var> env = sessionizerEnv();
        String props = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_PROPERTIES));
        // group.instance.id = the pod name (stable across restarts of a StatefulSet pod, unique in the group).
        assertThat(props).contains("kafka-streams.group.instance.id=${SESSIONIZER_GROUP_INSTANCE_ID:}");
        assertThat(env.get("SESSIONIZER_GROUP_INSTANCE_ID").value()).isEqualTo("$(POD_NAME)");
        List<String> order = new ArrayList<>(env.keySet());
        assertThat(order.indexOf("POD_NAME")).isLessThan(order.indexOf("SESSIONIZER_GROUP_INSTANCE_ID"));
        Matcher session = Pattern.compile("(?m)^kafka-streams\\.consumer\\.session\\.timeout\\.ms=(\\d+)$").matcher(props);
        assertThat(session.find()).isTrue();
        // A restarted pod (stop, schedule on its volume, JVM start) must rejoin within the session timeout.
        assertThat(Long.parseLong(session.group(1))).isGreaterThanOrEqualTo(30_000);

        // The grace period covers the bounded close of Kafka Streams plus Quarkus' shutdown and the JVM's exit.
        Duration close = Duration.parse(env.get("SESSIONIZER_SHUTDOWN_CLOSE_TIMEOUT").value());
        long grace = Consistency.sessionizerPod().path("spec").path("terminationGracePeriodSeconds").asLong();
        assertThat(grace).isGreaterThanOrEqualTo(close.toSeconds() + 20);
        String shutdown = SourceConfig.read(SourceConfig.repo(SourceConfig.SESSIONIZER_SOURCES
                .resolve("com/acme/clickstream/sessionizer/app/StreamsShutdown.java")));
        assertThat(shutdown).contains("ks.close(config.closeTimeout())");
    }

    @Test
    void credentialsComeOnlyFromSecrets() {
        Pattern secretish = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|JAAS).*");
        for (Manifests.Doc d : Manifests.all()) {
            assertThat(d.kind()).as("no Secret in git: " + d).isNotEqualTo("Secret");
            if (d.kind().equals("ConfigMap")) {
                d.tree().path("data").fieldNames().forEachRemaining(k -> assertThat(k).as(d.toString()).doesNotMatch(secretish));
            }
            for (JsonNode env : d.tree().findValues("env")) {
                for (JsonNode e : env) {
                    if (secretish.matcher(e.path("name").asText()).matches()) {
                        assertThat(e.has("value")).as(d + " " + e.path("name").asText()).isFalse();
                        assertThat(e.path("valueFrom").has("secretKeyRef")).as(d + " " + e.path("name").asText()).isTrue();
                    }
                }
            }
        }
    }

    // --- network policies -----------------------------------------------------------------------------

    /** Label sets of the pods in the namespace (ours, and those the operators create). */
    private static List<Map<String, String>> podLabelSets() {
        List<Map<String, String>> sets = new ArrayList<>();
        sets.add(labels(Consistency.sessionizerPod().path("metadata").path("labels")));
        sets.add(labels(Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec().path("podTemplate").path("metadata").path("labels")));
        sets.add(labels(Manifests.one("Job", "clickstream-db-migrate").spec().path("template").path("metadata").path("labels")));
        sets.add(Map.of("cnpg.io/cluster", Manifests.ofKind("Cluster").get(0).name(), "cnpg.io/podRole", "instance"));
        sets.add(Map.of("strimzi.io/cluster", Manifests.ofKind("Kafka").get(0).name(), "strimzi.io/kind", "Kafka",
                "strimzi.io/broker-role", "true", "strimzi.io/controller-role", "true"));
        return sets;
    }

    private static boolean selectsSomePod(Map<String, String> selector) {
        return podLabelSets().stream().anyMatch(s -> s.entrySet().containsAll(selector.entrySet()));
    }

    @Test
    void networkPoliciesDenyByDefaultAndEverySelectorMatchesARealPod() {
        Manifests.Doc deny = Manifests.one("NetworkPolicy", "default-deny-ingress");
        assertThat(deny.spec().path("podSelector").isEmpty()).isTrue();
        assertThat(deny.spec().path("policyTypes").toString()).isEqualTo("[\"Ingress\"]");
        assertThat(deny.spec().has("ingress")).isFalse();

        List<JsonNode> peers = new ArrayList<>();
        for (Manifests.Doc np : Manifests.ofKind("NetworkPolicy")) {
            if (np != deny && !np.name().equals("default-deny-ingress")) {
                assertThat(selectsSomePod(labels(np.spec().path("podSelector").path("matchLabels")))).as(np.toString()).isTrue();
            }
            for (JsonNode rule : np.spec().path("ingress")) rule.path("from").forEach(peers::add);
            for (JsonNode rule : np.spec().path("egress")) rule.path("to").forEach(peers::add);
        }
        Manifests.ofKind("Kafka").get(0).spec().path("kafka").path("listeners").forEach(l -> l.path("networkPolicyPeers").forEach(peers::add));
        for (JsonNode peer : peers) {
            if (peer.has("podSelector") && !peer.has("namespaceSelector")) {
                assertThat(selectsSomePod(labels(peer.path("podSelector").path("matchLabels")))).as(peer.toString()).isTrue();
            }
        }
        // Every pod of ours is covered by an ingress policy besides the default deny, or talks only out.
        for (Map<String, String> pod : podLabelSets()) {
            boolean covered = Manifests.ofKind("NetworkPolicy").stream().filter(np -> !np.name().equals("default-deny-ingress"))
                    .anyMatch(np -> pod.entrySet().containsAll(labels(np.spec().path("podSelector").path("matchLabels")).entrySet()))
                    || pod.containsKey("strimzi.io/cluster"); // Strimzi generates the Kafka pods' policies
            assertThat(covered).as(pod.toString()).isTrue();
        }
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> m = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
