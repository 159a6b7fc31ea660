package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.acme.clickstream.loadtest.stack.Artifacts;
import com.acme.clickstream.loadtest.stack.StackCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A newcomer's first minute with the run command at its defaults (default load, the service's default
 * session rules: no SESSIONIZER_* variable): the first sessions are rows in PostgreSQL within 60 s of
 * READY, the lines after READY say where to look and each of them works, and Ctrl-C — SIGINT to the
 * whole process group, as a terminal sends it — stops everything without a stack trace.
 */
class FirstMinuteIT {
    private static final Pattern READY = Pattern.compile(
            "READY kafka=(\\S+) postgres=(jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/\\S+) sessionizer=(http://\\S+)");
    private static final Pattern PSQL = Pattern.compile(
            "  sessions in PostgreSQL: psql -h 127\\.0\\.0\\.1 -p (\\d+) -U postgres postgres -c '.+ from sessions .+'");
    private static final Pattern REST = Pattern.compile(
            "  a user over REST: +(http://\\S+/api/users/(\\S+)/sessions/open) +\\(finished: (http://\\S+/sessions)\\)");
    private static final Pattern METRICS = Pattern.compile("  metrics \\(Prometheus\\): +(http://\\S+/q/metrics)");
    private static final Pattern BENCH = Pattern.compile(
            "  bench report: +load-test bench writes it to (\\S+)/target/bench-report/<yyyyMMdd-HHmmss>/report\\.html");
    private static final Duration FIRST_MINUTE = Duration.ofSeconds(60);

    private final Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "first-minute-stack");
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Process orchestrator;

    @Test
    void sessionsAreInPostgresWithinAMinuteOfReadyTheHintsWorkAndCtrlCPrintsNoStackTrace() throws Exception {
        SharedStack.deleteTree(dataDir);
        start();
        String ready = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> output.stream().filter(l -> READY.matcher(l).matches()).findFirst().orElse(null),
                        l -> l != null);
        long readyAt = System.nanoTime();
        Matcher r = READY.matcher(ready);
        assertThat(r.matches()).isTrue();
        String jdbcUrl = r.group(2);

        await().atMost(FIRST_MINUTE).pollInterval(Duration.ofMillis(250))
                .until(() -> EndToEndTest.queryLong(jdbcUrl, "select count(*) from sessions") > 0);
        EndToEndTest.log(String.format("first session row %.1f s after READY", (System.nanoTime() - readyAt) / 1e9));

        Matcher psql = line(PSQL);
        assertThat(psql.group(1)).isEqualTo(r.group(3));
        assertThat(output).noneMatch(l -> l.contains("password"));

        Matcher rest = line(REST);
        String user = rest.group(2);
        assertThat(rest.group(1)).startsWith(r.group(4) + "/api/users/");
        try (Stream<String> sent = Files.lines(dataDir.resolve("load/run-1/events.jsonl"))) {
            assertThat(sent.anyMatch(l -> l.contains("\"key\":\"" + user + "\""))).as(user + " in the generated data").isTrue();
        }
        // The busiest user of the first minute has an open or a finished session by now.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> !get(rest.group(1)).equals("[]") || !get(rest.group(3)).equals("[]"));
        assertThat(get(rest.group(1))).startsWith("[");

        assertThat(get(line(METRICS).group(1))).contains("sessionizer_events_accepted_total");
        assertThat(Path.of(line(BENCH).group(1))).isAbsolute();
        await().atMost(Duration.ofSeconds(20)).until(() -> output.stream().anyMatch(
                l -> l.matches("generate: sent=\\d+ .*\\| sessions open \\d+ \\| sessions final \\d+ \\| rows in PostgreSQL \\d+ .*")));

        List<ProcessHandle> stack = processesOfTheStack();
        assertThat(stack).as("sessionizer, Flink job, postmaster").hasSizeGreaterThanOrEqualTo(3);
        // A process started with SIGINT ignored passes that on to its children, and the JVM keeps it ignored: then
        // no Ctrl-C can reach the run command, whatever it does. Say so instead of waiting 90 s for nothing.
        assertThat(sigintIgnored(orchestrator.pid())).as("SIGINT is ignored by the run command's process, inherited"
                + " from the JVM running this test (started where SIGINT is ignored: a background job of a"
                + " non-interactive shell, say), so Ctrl-C cannot reach it; run the tests in the foreground").isFalse();
        // Ctrl-C in a terminal: SIGINT to the whole foreground process group, children included.
        new ProcessBuilder("kill", "-INT", "--", "-" + orchestrator.pid()).inheritIO().start().waitFor();
        boolean stopped = orchestrator.waitFor(90, TimeUnit.SECONDS);
        assertThat(stopped).as(() -> "the run command stops on Ctrl-C; its last output:\n"
                + String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()))
                + "\nits threads:\n" + threadDump(orchestrator.pid())).isTrue();
        for (ProcessHandle p : stack) {
            assertThat(p.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("pid " + p.pid() + " left behind").isFalse();
        }
        assertThat(output).contains("stopped");
        assertThat(output).as("the run command's output")
                .noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:") || l.contains("Exception in thread"));
        assertThat(dataDir.resolve("pids")).isEmptyDirectory();
    }

    @AfterEach
    void stopEverythingStarted() {
        List<ProcessHandle> left = processesOfTheStack();
        if (orchestrator != null) {
            orchestrator.destroyForcibly();
        }
        left.forEach(ProcessHandle::destroyForcibly);
    }

    private void start() throws IOException {
        Artifacts artifacts = SharedStack.artifacts();
        List<String> command = new ArrayList<>(newSession());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), StackCommand.class.getName(),
                "--data-dir", dataDir.toString(), "--progress-every", "PT2S",
                "--sessionizer-jar", artifacts.sessionizerJar().toString(),
                "--flink-classes", artifacts.flinkClasses().toString(),
                "--flink-lib", artifacts.flinkLib().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The service's own defaults: nothing of the tests' short session rules.
        builder.environment().keySet().removeIf(name -> name.startsWith("SESSIONIZER_"));
        orchestrator = builder.start();
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "first-minute.log");
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(orchestrator.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = in.readLine()) != null) {
                    output.add(l);
                    Files.writeString(log, l + System.lineSeparator(), StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                output.add("(output reader failed: " + e + ")");
            }
        }, "first-minute-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * A prefix that runs the command as the leader of a new process group, so that the test can signal the
     * group as a terminal does: util-linux's setsid on Linux; macOS has none, but has perl.
     */
    private static List<String> newSession() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "setsid"))) {
                return List.of("setsid");
            }
        }
        return List.of("perl", "-MPOSIX", "-e", "POSIX::setsid() or die \"setsid: $!\"; exec @ARGV or die \"exec: $!\"");
    }

    private Matcher line(Pattern pattern) {
        for (String l : output) {
            Matcher m = pattern.matcher(l);
            if (m.matches()) {
                return m;
            }
        }
        throw new AssertionError("no line matching " + pattern + " in " + output);
    }

    private String get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    /** What a run command that does not stop is doing, for the failure message (jcmd is in the JDK). */
    /** Whether the process ignores SIGINT (Linux: bit 2 of {@code SigIgn} in its status); false where unknown. */
    static boolean sigintIgnored(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            return lines.filter(l -> l.startsWith("SigIgn:")).findFirst()
                    .map(l -> (Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16) & 0b10) != 0)
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    private static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /** The children recorded in pid files and the postmaster: all carry this data dir on their command line. */
    private List<ProcessHandle> processesOfTheStack() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != ProcessHandle.current().pid())
                    .filter(p -> orchestrator == null || p.pid() != orchestrator.pid())
                    .filter(p -> commandLine(p).contains(dataDir.toString()))
                    .toList();
        }
    }

    private static String commandLine(ProcessHandle p) {
        Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        try {
            return Files.isReadable(cmdline)
                    ? new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ')
                    : p.info().commandLine().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
