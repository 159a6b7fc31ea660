package com.acme.clickstream.loadtest.stack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's run command: the whole pipeline on this machine, with synthetic load unless --no-load.
 * Prints one {@code READY ...} line when every part is up, then a progress line every few seconds,
 * and stops everything it started on Ctrl-C (SIGINT/SIGTERM).
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = {"Runs the local pipeline: a Kafka broker (KRaft) and PostgreSQL (XA) from Maven artifacts,",
                "the topics and migrations, the sessionizer and the Flink job, and the load generator.",
                "Session rules come from the SESSIONIZER_* environment variables (contract, \"Sessions\")."})
public final class StackCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = ".local-stack",
            description = "Where all state lives; a start on the same dir resumes (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "0",
            description = "Port of the embedded Kafka broker (default: the last one used with this data dir, else a free one).")
    int kafkaPort;

    @Option(names = "--pg-port", defaultValue = "0",
            description = "Port of the embedded PostgreSQL (default: as --kafka-port).")
    int pgPort;

    @Option(names = "--http-port", defaultValue = "0",
            description = "The sessionizer's HTTP port (default: as --kafka-port).")
    int httpPort;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
            description = "Use this Kafka instead of starting one.")
    String kafkaBootstrap;

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Use this PostgreSQL instead of starting one (jdbc:postgresql://HOST:PORT/DB?user=U&password=P).")
    String jdbcUrl;

    @Option(names = "--no-load", description = "Start everything, generate nothing (other producers feed the topics).")
    boolean noLoad;

    @Option(names = "--rate", defaultValue = "50", description = "Events per second of the load generator (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", description = "How long to generate, e.g. PT10M or 10m (default: until Ctrl-C).",
            converter = DurationConverter.class)
    Duration duration;

    @Option(names = "--users", defaultValue = "500", description = "Distinct users of the load generator (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the load generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--time-scale", defaultValue = "120",
            description = {"Event seconds per wall second of the generated load (default: ${DEFAULT-VALUE}: a wall second",
                    "is two event minutes, so under the default session rules the first sessions close about 16 s",
                    "after the load starts, with room for a slow machine within the first minute)."})
    double timeScale;

    @Option(names = "--event-partitions", defaultValue = "4",
            description = "Partitions of clickstream.events when the stack creates it (default: ${DEFAULT-VALUE}).")
    int eventPartitions;

    @Option(names = "--project-dir", description = "The repository root with the built sessionizer and Flink job "
            + "(default: the clickstream.home system property, else the current directory).")
    Path projectDir;

    @Option(names = "--sessionizer-jar", hidden = true, description = "The sessionizer's quarkus-run.jar (default: under --project-dir).")
    Path sessionizerJar;

    @Option(names = "--flink-classes", hidden = true, description = "The Flink job's classes (default: under --project-dir).")
    Path flinkClasses;

    @Option(names = "--flink-lib", hidden = true, description = "The Flink job's dependency jars (default: under --project-dir).")
    Path flinkLib;

    @Option(names = "--ready-timeout", defaultValue = "PT3M", converter = DurationConverter.class,
            description = "How long every part may take to become ready (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    @Option(names = "--progress-every", defaultValue = "PT5S", converter = DurationConverter.class,
            description = "Interval of the progress line (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(names = "--flink-arg", description = "Extra argument of the Flink job (repeatable).")
    List<String> flinkArgs = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new StackCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        StackConfig config = config();
        LocalStack stack = LocalStack.create(config);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        LoadRun[] load = new LoadRun[1];
        StackStatus[] status = new StackStatus[1];
        Thread hook = new Thread(() -> {
            stopping.set(true);
            out.println("stopping the local stack ...");
            if (load[0] != null) {
                load[0].stop();
            }
            if (status[0] != null) {
                status[0].close();
            }
            try {
                stack.close();
                out.println("stopped");
            } catch (RuntimeException e) {
                // One line: a stop is no place for a stack trace (the part's log has the details).
                out.println("stopped, but not cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }, "stop-local-stack");
        Runtime.getRuntime().addShutdownHook(hook);

        long started = System.nanoTime();
        try {
            stack.start();
        } catch (RuntimeException e) {
            if (stopping.get()) {
                return 130; // Ctrl-C during the start: the hook has stopped what was up
            }
            // The message names the part and carries the end of its log: more use than a stack trace.
            System.err.println("the local stack did not start: " + e.getMessage());
            return 1;
        }
        out.println(stack.readyLine());
        out.printf("ready in %.1f s; logs in %s, Ctrl-C stops everything%n",
                (System.nanoTime() - started) / 1e9, config.dataDir().resolve("logs"));
        out.flush();

        status[0] = new StackStatus(stack);
        if (!noLoad) {
            load[0] = LoadRun.start(stack, rate, Optional.ofNullable(duration), users, seed, timeScale, out).orElse(null);
        }
        Optional<LoadRun> running = Optional.ofNullable(load[0]);
        StackHints.lines(stack.jdbcUrl(), stack.sessionizerUrl(), stack.managementUrl(), running.flatMap(LoadRun::liveUser), project(),
                running.map(LoadRun::firstSessionsIn)).forEach(out::println);
        out.flush();
        while (!stopped.await(progressEvery.toMillis(), TimeUnit.MILLISECONDS) && !stopping.get()) {
            String sent = load[0] == null ? "" : load[0].progress() + " | ";
            out.println(sent + status[0].line());
            out.flush();
            for (String restarted : stack.restartExited()) {
                out.println(restarted + " had exited: restarted");
            }
        }
        return 0;
    }

    private Path project() {
        return Optional.ofNullable(projectDir)
                .or(() -> Optional.ofNullable(System.getProperty("clickstream.home")).map(Path::of))
                .orElse(Path.of(""));
    }

    StackConfig config() {
        Path project = project();
        return new StackConfig(dataDir, kafkaPort, pgPort, httpPort,
                Optional.ofNullable(kafkaBootstrap), Optional.ofNullable(jdbcUrl),
                artifacts(project), Topics.defaults(), eventPartitions,
                StackConfig.sessionRules(System.getenv()), flinkArgs, readyTimeout);
    }

    private Artifacts artifacts(Path project) {
        Artifacts built = Artifacts.in(project);
        return new Artifacts(Optional.ofNullable(sessionizerJar).orElse(built.sessionizerJar()),
                Optional.ofNullable(flinkClasses).orElse(built.flinkClasses()),
                Optional.ofNullable(flinkLib).orElse(built.flinkLib()));
    }

    /** ISO-8601 (PT10M) or the short forms 90s, 10m, 2h. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> throw new CommandLine.TypeConversionException("not a duration: " + value);
            };
        }
    }
}
