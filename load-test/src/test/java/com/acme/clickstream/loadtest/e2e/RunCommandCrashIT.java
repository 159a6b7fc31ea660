package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.stack.Artifacts;
import com.acme.clickstream.loadtest.stack.StackCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The run command itself, as a process: started, crashed like a machine (kill -9 of the orchestrator with its
 * in-process Kafka broker, of the sessionizer, the Flink job and the postmaster, all at once) under load, and
 * started again on the same data dir: it resumes where it was, nothing lost, nothing twice, no prepared
 * transaction left; then SIGTERM leaves no process behind.
 */
class RunCommandCrashIT {
    private static final Pattern READY = Pattern.compile(
            "READY kafka=(\\S+) postgres=(jdbc:postgresql://\\S+) sessionizer=(http://\\S+)");

    private final Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "run-command-stack");
    private final Path sentDir = Path.of(System.getProperty("java.io.tmpdir"), "e2e-data", "RunCommandCrashIT");
    private final List<Process> orchestrators = new ArrayList<>();

    @Test
    void resumesAfterAKillOfEverythingWithNothingLostNothingTwiceAndLeavesNoProcessOnSigterm() throws Exception {
        SharedStack.deleteTree(dataDir);
        SharedStack.deleteTree(sentDir);
        Files.createDirectories(sentDir);

        Ready first = startRunCommand("first");
        CompletableFuture<SentLog> load = EndToEndTest.generateInBackground(
                EndToEndTest.dataset(first.kafka(), sentDir, 2000, 6006, EndToEndTest.FAULT_MIX));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> EndToEndTest.queryLong(first.jdbcUrl(), "select count(*) from sessions") >= 10);

        List<ProcessHandle> crashed = everyProcessOfTheStack();
        EndToEndTest.log("machine crash: kill -9 of " + crashed.size() + " processes (orchestrator with Kafka, "
                + "sessionizer, Flink job, postmaster) under load");
        crashed.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : crashed) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }

        long restarted = System.nanoTime();
        Ready second = startRunCommand("second");
        EndToEndTest.log(String.format("READY again %.1f s after the restart", (System.nanoTime() - restarted) / 1e9));
        // Ports are remembered per data dir: the producer of the load reconnects to the same broker address.
        assertThat(second).isEqualTo(first);

        EndToEndTest.assertExactlyOnce(EndToEndTest.finished(load), second.jdbcUrl(), second.kafka());

        List<ProcessHandle> running = everyProcessOfTheStack();
        Process orchestrator = orchestrators.get(orchestrators.size() - 1);
        orchestrator.destroy(); // SIGTERM, as Ctrl-C would
        assertThat(orchestrator.waitFor(90, TimeUnit.SECONDS)).as("the run command stops on SIGTERM").isTrue();
        for (ProcessHandle p : running) {
            assertThat(p.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("pid " + p.pid() + " left behind").isFalse();
        }
        assertThat(processesWithMarker()).as("processes of the stack left behind").isEmpty();
        assertThat(dataDir.resolve("pids")).isEmptyDirectory();
    }

    @AfterEach
    void stopEverythingStarted() {
        List<ProcessHandle> left = everyProcessOfTheStack();
        orchestrators.forEach(Process::destroyForcibly);
        left.forEach(ProcessHandle::destroyForcibly);
    }

    private Ready startRunCommand(String name) throws Exception {
        Artifacts artifacts = SharedStack.artifacts();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), StackCommand.class.getName(),
                "--data-dir", dataDir.toString(), "--no-load", "--progress-every", "PT2S",
                "--sessionizer-jar", artifacts.sessionizerJar().toString(),
                "--flink-classes", artifacts.flinkClasses().toString(),
                "--flink-lib", artifacts.flinkLib().toString()));
        SharedStack.FLINK_ARGS.forEach(a -> command.add("--flink-arg=" + a));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(SharedStack.SESSION_RULES);
        Process process = builder.start();
        orchestrators.add(process);
        CompletableFuture<Ready> ready = new CompletableFuture<>();
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "run-command-" + name + ".log");
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter file = new PrintWriter(Files.newBufferedWriter(log))) {
                String line;
                while ((line = out.readLine()) != null) {
                    file.println(line);
                    file.flush();
                    Matcher m = READY.matcher(line);
                    if (m.matches()) {
                        ready.complete(new Ready(m.group(1), m.group(2), m.group(3)));
                    }
                }
                ready.completeExceptionally(new IllegalStateException("the run command ended before READY; see " + log));
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        }, "run-command-output");
        reader.setDaemon(true);
        reader.start();
        Ready r = ready.get(4, TimeUnit.MINUTES);
        EndToEndTest.log(name + " run: READY kafka=" + r.kafka() + " postgres=" + r.jdbcUrl() + " sessionizer=" + r.sessionizer());
        return r;
    }

    /** The orchestrators, the children recorded in pid files, the postmaster: all carry this data dir. */
    private List<ProcessHandle> everyProcessOfTheStack() {
        List<ProcessHandle> all = new ArrayList<>();
        orchestrators.stream().map(Process::toHandle).filter(ProcessHandle::isAlive).forEach(all::add);
        all.addAll(processesWithMarker());
        return all;
    }

    /** Processes whose command line names this data dir (children carry it, the postmaster's -D does too). */
    private List<ProcessHandle> processesWithMarker() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != ProcessHandle.current().pid())
                    .filter(p -> commandLine(p).contains(dataDir.toString()))
                    .filter(p -> orchestrators.stream().noneMatch(o -> o.pid() == p.pid()))
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

    private record Ready(String kafka, String jdbcUrl, String sessionizer) {}
}
