package com.acme.clickstream.loadtest.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service the local stack runs as a child process (the sessionizer, the Flink job), with its log
 * and a pid file under the data dir.
 *
 * <p>Children must not outlive the orchestrator, even when it is killed with SIGKILL and no shutdown
 * hook runs: each child gets a tiny {@code sh} watcher that kills it once the orchestrator's pid is
 * gone. Should the watcher die too (a machine crash, kill -9 of the whole process group), the pid
 * file lets the next start find and kill the leftover — but only a process whose command line carries
 * this stack's marker, so an unrelated process that reused the pid is never touched.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(20);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final Path pidFile;
    private final String marker;
    private Process process;

    /**
     * @param marker a string that occurs in the child's command line and in no unrelated process's
     *               (the stack passes {@code -Dclickstream.stack.dir=<data dir>} to each child)
     */
    public ChildProcess(String name, List<String> command, Map<String, String> environment,
                        Path logFile, Path pidFile, String marker) {
        if (command.stream().noneMatch(arg -> arg.contains(marker))) {
            throw new IllegalArgumentException("the command line of " + name + " must carry the marker " + marker);
        }
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
        this.pidFile = pidFile;
        this.marker = marker;
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** Starts the child (after killing a leftover of an earlier run recorded in the pid file). */
    public synchronized void start() {
        if (isAlive()) {
            return;
        }
        killLeftover();
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(pidFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            Files.writeString(logFile, "---- " + java.time.Instant.now() + " starting " + name + ": "
                    + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
            Files.writeString(pidFile, process.pid() + System.lineSeparator() + marker + System.lineSeparator());
            startWatcher(process.pid());
            LOG.info("{} started (pid {}), log {}", name, process.pid(), logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized Optional<Long> pid() {
        return Optional.ofNullable(process).map(Process::pid);
    }

    /**
     * A crash: SIGKILL, no shutdown hook, nothing flushed. Returns the exit status as the JDK reports it (on Linux
     * 128 + 9 = 137 for a process the SIGKILL ended, its own code had it exited before), so that a test can tell;
     * empty when it was not running or did not exit within 30 s.
     */
    public synchronized Optional<Integer> kill() {
        if (process == null) {
            return Optional.empty();
        }
        process.destroyForcibly();
        Optional<Integer> status = awaitExit(process, Duration.ofSeconds(30))
                ? Optional.of(process.exitValue()) : Optional.empty();
        LOG.info("{} killed (pid {}, exit {})", name, process.pid(), status.map(String::valueOf).orElse("unknown"));
        process = null;
        deletePidFile();
        return status;
    }

    /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!awaitExit(process, GRACEFUL_STOP)) {
            LOG.warn("{} (pid {}) did not stop within {}: killing it", name, process.pid(), GRACEFUL_STOP);
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(30));
        }
        LOG.info("{} stopped (pid {}, exit {})", name, process.pid(), process.exitValue());
        process = null;
        deletePidFile();
    }

    /** Exit code when the child has exited on its own, empty while it runs or if never started. */
    public synchronized Optional<Integer> exitCode() {
        return process == null || process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    @Override
    public void close() {
        stop();
    }

    /** The last lines of the log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void killLeftover() {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            Optional<ProcessHandle> leftover = lines.isEmpty() ? Optional.empty()
                    : parsePid(lines.get(0)).flatMap(ProcessHandle::of)
                            .filter(ProcessHandle::isAlive)
                            .filter(p -> commandLine(p).contains(marker));
            if (leftover.isPresent()) {
                ProcessHandle p = leftover.get();
                LOG.warn("{} (pid {}) left running by an earlier run: stopping it", name, p.pid());
                p.destroy();
                try {
                    p.onExit().get(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                    p.onExit().get(30, TimeUnit.SECONDS);
                }
            }
            deletePidFile();
        } catch (Exception e) {
            throw new IllegalStateException("cannot clean up the leftover " + name + " of " + pidFile, e);
        }
    }

    /** The full command line: /proc has it untruncated on Linux; ProcessHandle elsewhere. */
    static String commandLine(ProcessHandle p) {
        Path cmdline = Path.of("/proc", String.valueOf(p.pid()), "cmdline");
        if (Files.isReadable(cmdline)) {
            try {
                return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
            } catch (IOException e) {
                // the process exited meanwhile
                return "";
            }
        }
        return p.info().commandLine().orElse("");
    }

    /**
     * Kills the child once the orchestrator (this JVM) is gone, and ends by itself when the child does.
     * A shell loop because the JVM offers no parent-death signal; it costs one sleeping sh per child.
     */
    private static void startWatcher(long childPid) {
        long parentPid = ProcessHandle.current().pid();
        String script = "while kill -0 $0 2>/dev/null && kill -0 $1 2>/dev/null; do sleep 1; done; "
                + "kill -0 $0 2>/dev/null || kill -9 $1 2>/dev/null";
        List<String> watcher = new ArrayList<>(List.of("sh", "-c", script,
                String.valueOf(parentPid), String.valueOf(childPid)));
        try {
            new ProcessBuilder(watcher)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            LOG.warn("no watcher for pid {} (sh missing?): it may outlive a killed orchestrator; "
                    + "the next start cleans it up from its pid file", childPid, e);
        }
    }

    private static boolean awaitExit(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            LOG.warn("cannot delete {}", pidFile, e);
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
