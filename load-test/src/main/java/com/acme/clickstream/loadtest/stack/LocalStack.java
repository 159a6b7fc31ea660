package com.acme.clickstream.loadtest.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.acme.clickstream.devstack.FreePorts;
import com.acme.clickstream.devstack.KafkaBroker;
import com.acme.clickstream.devstack.Migrations;
import com.acme.clickstream.devstack.Postgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local pipeline: a real Kafka broker and PostgreSQL (embedded, or existing ones), the topics and
 * migrations, and the sessionizer and the Flink job as child processes. The run command and the
 * end-to-end tests both start it through this class, so they start things the same way.
 *
 * <p>All state lives under the data dir; starting again on the same data dir resumes where the last run
 * stopped, also after a crash: the broker keeps its log, PostgreSQL its data (devstack stops a postmaster
 * a dead run left behind), Kafka Streams its state, the Flink job resumes from its latest checkpoint,
 * and leftover children are found through their pid files.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    /** XA budget: sink parallelism x (concurrent checkpoints + 1) with plenty of headroom. */
    private static final int MAX_PREPARED_TRANSACTIONS = 64;
    private static final String FLINK_MAIN = "com.acme.clickstream.flink.SessionSinkMain";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StackConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /**
     * HTTP/1.1, as for every JDK client of ours: the default upgrade of a cleartext connection to HTTP/2 lost bytes
     * of a big answer (the sessionizer's metrics) on about one fresh connection in a hundred.
     */
    /** The MiniCluster's REST API answers within this or counts as not answering. */
    private static final Duration FLINK_REST_TIMEOUT = Duration.ofSeconds(3);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Properties ports;
    private volatile KafkaBroker broker;
    private volatile Postgres postgres;
    private String bootstrapServers;
    private String jdbcUrl;
    private int httpPort;
    private int managementPort;
    private int flinkRestPort;
    private volatile ChildProcess sessionizer;
    private volatile ChildProcess flink;
    private volatile boolean closing;

    private LocalStack(StackConfig config) {
        this.config = config;
        try {
            Files.createDirectories(config.dataDir());
            // An OS lock, not a pid file: it goes away with the process however that process dies.
            lockChannel = FileChannel.open(config.dataDir().resolve("stack.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("another local stack is running on " + config.dataDir());
            }
            ports = loadPorts();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data dir " + config.dataDir(), e);
        }
    }

    /** Starts every part and returns once all are ready (see {@link #readyLine()}); stops what it started on failure. */
    public static LocalStack start(StackConfig config) {
        LocalStack stack = create(config);
        stack.start();
        return stack;
    }

    /**
     * Takes the data dir (one stack per data dir) without starting anything yet, so that a shutdown
     * hook can hold the stack and stop whatever part already runs if Ctrl-C comes during the start.
     */
    public static LocalStack create(StackConfig config) {
        return new LocalStack(config);
    }

    /** Starts every part and returns once all are ready; stops what it started on failure. */
    public void start() {
        try {
            startAll();
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void startAll() {
        long started = System.nanoTime();
        config.artifacts().check();
        startKafka();
        startPostgres();
        createTopics();
        int applied = Migrations.apply(dataSource());
        LOG.info("{} migration(s) applied", applied);
        httpPort = port("http", config.httpPort());
        managementPort = port("management", 0);
        flinkRestPort = port("flink-rest", 0);
        savePorts();
        sessionizer = sessionizerProcess();
        flink = flinkProcess();
        sessionizer.start();
        flink.start();
        awaitReady();
        LOG.info("local stack ready in {} ms", (System.nanoTime() - started) / 1_000_000);
    }

    // ---- the parts -------------------------------------------------------------------------------

    private void startKafka() {
        if (config.kafkaBootstrap().isPresent()) {
            bootstrapServers = config.kafkaBootstrap().get();
            return;
        }
        broker = KafkaBroker.start(config.dataDir().resolve("kafka"), port("kafka", config.kafkaPort()));
        bootstrapServers = broker.bootstrapServers();
    }

    private void startPostgres() {
        if (config.jdbcUrl().isPresent()) {
            jdbcUrl = config.jdbcUrl().get();
            return;
        }
        postgres = Postgres.start(config.dataDir().resolve("postgres/data"), config.dataDir().resolve("postgres/work"),
                port("postgres", config.pgPort()), MAX_PREPARED_TRANSACTIONS);
        jdbcUrl = postgres.jdbcUrl();
    }

    private void createTopics() {
        try (Admin admin = admin()) {
            for (StackConfig.TopicSpec spec : config.topicSpecs()) {
                try {
                    admin.createTopics(List.of(new NewTopic(spec.name(), spec.partitions(), (short) -1)
                            .configs(spec.configs()))).all().get();
                    LOG.info("topic {} created ({} partitions{})", spec.name(), spec.partitions(),
                            spec.configs().isEmpty() ? "" : ", " + spec.configs());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + spec.name(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topics", e);
        }
    }

    private ChildProcess sessionizerProcess() {
        Path jar = config.artifacts().sessionizerJar();
        Path tmp = freshTmp("sessionizer");
        // The parallel collector, as the service's image runs it (sessionizer README, "Header cache and the parallel
        // collector").
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx512m", "-XX:+UseParallelGC",
                marker(), "-Djava.io.tmpdir=" + tmp,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                // Health and metrics: Quarkus' management interface, on its own port.
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                // One instance that comes back after a crash: as a static member it takes its partitions
                // back at once instead of waiting for the dead member's session to time out (~45 s).
                "-Dkafka-streams.group.instance.id=local-stack-sessionizer",
                "-Dkafka-streams.consumer.session.timeout.ms=15000",
                "-jar", jar.toString()));
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));
        // The REST API reads as its own role (schema V5), never as the owner the stack migrates with. Passwords
        // travel in the environment only: the embedded server trusts local connections and needs none.
        env.put("QUARKUS_DATASOURCE_JDBC_URL", withoutCredentials(jdbcUrl));
        env.put("QUARKUS_DATASOURCE_USERNAME", API_ROLE);
        env.put("QUARKUS_DATASOURCE_PASSWORD", rolePassword(API_PASSWORD_ENV));
        // The stack applied the migrations already; one writer of the schema history is enough.
        env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "false");
        env.put("KAFKA_STREAMS_STATE_DIR", config.dataDir().resolve("sessionizer/state").toString());
        env.put("SESSIONIZER_ADVERTISED_HOST", "127.0.0.1");
        env.putAll(config.sessionizerEnv());
        return new ChildProcess("sessionizer", command, env, logs().resolve("sessionizer.log"),
                pids().resolve("sessionizer.pid"), marker());
    }

    private ChildProcess flinkProcess() {
        Path tmp = freshTmp("flink");
        String classpath = config.artifacts().flinkClasspath();
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx768m", marker(),
                "-Djava.io.tmpdir=" + tmp));
        command.addAll(FLINK_JVM_OPTIONS);
        // The sink writes as its own role (schema V5); no credential on the command line.
        command.addAll(List.of("-cp", classpath, FLINK_MAIN,
                "--bootstrap-servers", bootstrapServers,
                "--topic", config.topics().sessions(),
                "--jdbc-url", withoutCredentials(jdbcUrl),
                "--jdbc-user", SINK_ROLE,
                "--checkpoint-dir", config.dataDir().resolve("flink/checkpoints").toString(),
                "--local-tmp-dir", tmp.toString(),
                "--rest-port", String.valueOf(flinkRestPort),
                "--checkpoint-interval", "PT5S",
                // Prepared transactions an earlier run left are ended by the job itself when it starts
                // (rolled back after the checkpoint it resumes from, committed otherwise): nothing to set.
                "--checkpoint-timeout", "PT30S"));
        // Later arguments win: the caller's (e.g. the tests' shorter checkpoint interval).
        command.addAll(config.flinkArgs());
        Map<String, String> env = new HashMap<>();
        env.put("JDBC_PASSWORD", rolePassword(SINK_PASSWORD_ENV));
        return new ChildProcess("flink-sink-job", command, env, logs().resolve("flink-sink-job.log"),
                pids().resolve("flink-sink-job.pid"), marker());
    }

    /** What Flink's own launch scripts pass on Java 17 (Kryo and the RPC system reflect into the JDK). */
    private static final List<String> FLINK_JVM_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    // ---- readiness ------------------------------------------------------------------------------

    /** Waits until the topics exist, Kafka Streams is RUNNING (readiness 200) and the Flink job is RUNNING. */
    public void awaitReady() {
        awaitReady(config.readyTimeout());
    }

    public void awaitReady(Duration timeout) {
        await("topics", timeout, this::topicsExist);
        await("sessionizer ready (Kafka Streams RUNNING)", timeout, () -> alive(sessionizer) && sessionizerReady());
        await("Flink job RUNNING", timeout, () -> alive(flink) && flinkJobRunning());
    }

    private boolean alive(ChildProcess child) {
        if (child.isAlive()) {
            return true;
        }
        throw new IllegalStateException(child.name() + " exited" + child.exitCode().map(c -> " with " + c).orElse("")
                + "; the end of " + child.logFile() + ":" + System.lineSeparator() + child.logTail(40));
    }

    public boolean topicsExist() {
        try (Admin admin = admin()) {
            var names = admin.listTopics().names().get(5, java.util.concurrent.TimeUnit.SECONDS);
            return config.topicSpecs().stream().allMatch(s -> names.contains(s.name()));
        } catch (Exception e) {
            return false;
        }
    }

    public boolean sessionizerReady() {
        return httpStatus(managementUrl() + "/q/health/ready") == 200;
    }

    /** Whether the MiniCluster's REST API lists a RUNNING job with all its tasks running. */
    public boolean flinkJobRunning() {
        try {
            HttpResponse<String> response = getText(flinkRest("/jobs/overview"), FLINK_REST_TIMEOUT);
            if (response.statusCode() != 200) {
                return false;
            }
            for (JsonNode job : JSON.readTree(response.body()).path("jobs")) {
                JsonNode tasks = job.path("tasks");
                if ("RUNNING".equals(job.path("state").asText())
                        && tasks.path("running").asInt(-1) == tasks.path("total").asInt(-2)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Checkpoints completed so far by the running sink job, from the MiniCluster's REST API (-1 when no job runs or
     * the API does not answer): a transaction the sink had prepared is committed once a later checkpoint completes.
     */
    public long flinkCompletedCheckpoints() {
        return sinkJobFigure(Set.of("RUNNING"), "/checkpoints",
                body -> body.path("counts").path("completed").asLong(-1));
    }

    /**
     * Failures the running sink job has had and recovered from (its exception history in the MiniCluster's REST
     * API; -1 when no job runs or the API does not answer): a fault test shows with it that the job noticed.
     */
    public long flinkJobFailures() {
        return sinkJobFigure(Set.of("RUNNING", "RESTARTING"), "/exceptions?maxExceptions=1000", body -> {
            JsonNode entries = body.path("exceptionHistory").path("entries");
            return entries.isArray() ? entries.size() : -1;
        });
    }

    /**
     * A figure of the first job in one of {@code states}, read from its resource {@code /jobs/<jid><resource>} of the
     * MiniCluster's REST API; -1 when no such job runs or the API does not answer.
     */
    private long sinkJobFigure(Set<String> states, String resource, java.util.function.ToLongFunction<JsonNode> figure) {
        try {
            HttpResponse<String> jobs = getText(flinkRest("/jobs/overview"), FLINK_REST_TIMEOUT);
            if (jobs.statusCode() != 200) {
                return -1;
            }
            for (JsonNode job : JSON.readTree(jobs.body()).path("jobs")) {
                if (!states.contains(job.path("state").asText())) {
                    continue;
                }
                HttpResponse<String> response = getText(flinkRest("/jobs/" + job.path("jid").asText() + resource),
                        FLINK_REST_TIMEOUT);
                if (response.statusCode() == 200) {
                    return figure.applyAsLong(JSON.readTree(response.body()));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private int httpStatus(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + timeout + ": " + what);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
    }

    /** The line scripts wait for. */
    public String readyLine() {
        return "READY kafka=" + bootstrapServers + " postgres=" + withoutPassword(jdbcUrl) + " sessionizer="
                + sessionizerUrl();
    }

    // ---- faults and restarts (the end-to-end tests), and stopping ---------------------------------

    public ChildProcess sessionizer() {
        return sessionizer;
    }

    public ChildProcess flinkJob() {
        return flink;
    }

    /** The embedded broker (restart with stop()/start()); empty when the stack uses an existing Kafka. */
    public Optional<KafkaBroker> broker() {
        return Optional.ofNullable(broker);
    }

    /** The embedded PostgreSQL (restart with stop()/start()); empty when the stack uses an existing one. */
    public Optional<Postgres> postgres() {
        return Optional.ofNullable(postgres);
    }

    /**
     * Restarts a child that exited on its own, as a pod's restart policy would (the run command calls
     * this periodically; the tests don't, they restart explicitly). Returns the names restarted.
     */
    public synchronized List<String> restartExited() {
        List<String> restarted = new ArrayList<>();
        for (ChildProcess child : new ChildProcess[] {sessionizer, flink}) {
            if (!closing && child != null && child.exitCode().isPresent()) {
                LOG.warn("{} exited with {}: restarting it; the end of its log:{}{}", child.name(),
                        child.exitCode().get(), System.lineSeparator(), child.logTail(20));
                child.start();
                restarted.add(child.name());
            }
        }
        return restarted;
    }

    /** Stops everything this stack started: children first (they flush to Kafka and PostgreSQL), then the servers. */
    @Override
    public synchronized void close() {
        closing = true;
        List<Runnable> steps = new ArrayList<>();
        if (flink != null) {
            steps.add(flink::stop);
        }
        if (sessionizer != null) {
            steps.add(sessionizer::stop);
        }
        if (broker != null) {
            steps.add(broker::stop);
        }
        if (postgres != null) {
            steps.add(postgres::stop);
        }
        RuntimeException failure = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                // A part may already be down (Ctrl-C in a terminal signals the children too): say so in one line.
                LOG.warn("stopping the local stack: {}", String.valueOf(e));
                failure = failure == null ? e : failure;
            }
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("cannot release {}", config.dataDir().resolve("stack.lock"), e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ---- where things are -----------------------------------------------------------------------

    public StackConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The JDBC URL of the schema owner (with {@code user=}, and a password when one was given). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String sessionizerUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The sessionizer's management interface: health and metrics. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public int flinkRestPort() {
        return flinkRestPort;
    }

    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        return ds;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000"));
    }

    /** The sessionizer's gauge of open sessions (all its tasks), from its Prometheus endpoint; empty if unreadable. */
    public Optional<Long> openSessions() {
        try {
            HttpResponse<String> response = scrapeMetrics();
            return response.statusCode() == 200 ? StackStatus.openSessions(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The sessionizer's Prometheus endpoint ({@code /q/metrics} on the management port) as it answers. */
    public HttpResponse<String> scrapeMetrics() throws IOException, InterruptedException {
        return getText(managementUrl() + "/q/metrics", Duration.ofSeconds(5));
    }

    private String flinkRest(String path) {
        return "http://127.0.0.1:" + flinkRestPort + path;
    }

    /** A GET over the stack's shared HTTP/1.1 client, the body as text. */
    private HttpResponse<String> getText(String url, Duration timeout) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public long sessionRows() {
        return queryLong("select count(*) from sessions");
    }

    public long preparedTransactions() {
        return queryLong("select count(*) from pg_prepared_xacts");
    }

    private long queryLong(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private Path logs() {
        return config.dataDir().resolve("logs");
    }

    private Path pids() {
        return config.dataDir().resolve("pids");
    }

    /** Carried by every child's command line, so a pid file never leads to killing an unrelated process. */
    private String marker() {
        return "-Dclickstream.stack.dir=" + config.dataDir();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Path freshTmp(String name) {
        Path tmp = config.dataDir().resolve("tmp").resolve(name);
        try {
            if (Files.exists(tmp)) {
                try (Stream<Path> walk = Files.walk(tmp)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(tmp);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + tmp, e);
        }
    }

    /** Ports are remembered per data dir, so a restart listens where the last run did. */
    private int port(String name, int requested) {
        int port = requested != 0 ? requested
                : Optional.ofNullable(ports.getProperty(name)).map(Integer::parseInt).orElseGet(FreePorts::next);
        ports.setProperty(name, String.valueOf(port));
        return port;
    }

    private Properties loadPorts() throws IOException {
        Properties p = new Properties();
        Path file = config.dataDir().resolve("ports.properties");
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private void savePorts() {
        try (var out = Files.newOutputStream(config.dataDir().resolve("ports.properties"))) {
            ports.store(out, "ports of the local stack on this data dir");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The roles of schema V5 that the sessionizer's REST API and the Flink sink use. */
    static final String API_ROLE = "clickstream_api";
    static final String SINK_ROLE = "clickstream_sink";
    /** Where their passwords come from when the stack uses an existing server that asks for them. */
    static final String API_PASSWORD_ENV = "CLICKSTREAM_API_PASSWORD";
    static final String SINK_PASSWORD_ENV = "CLICKSTREAM_SINK_PASSWORD";

    private static String rolePassword(String variable) {
        return Optional.ofNullable(System.getenv(variable)).orElse("");
    }

    /** The URL without {@code user=} and {@code password=}: a component sets its own user, the password apart. */
    static String withoutCredentials(String url) {
        return withoutParameters(url, Set.of("user", "password"));
    }

    /** The URL without {@code password=}: what may be printed. */
    public static String withoutPassword(String url) {
        return withoutParameters(url, Set.of("password"));
    }

    private static String withoutParameters(String url, Set<String> names) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!pair.isEmpty() && !names.contains(name)) {
                kept.add(pair);
            }
        }
        return url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    static Map<String, String> jdbcQuery(String url) {
        Map<String, String> params = new HashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return params;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
