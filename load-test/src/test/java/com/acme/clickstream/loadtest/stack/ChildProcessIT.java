package com.acme.clickstream.loadtest.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervision of the stack's children: none survives the orchestrator, leftovers are found, strangers are left alone. */
class ChildProcessIT {
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killWhatTheTestStarted() {
        started.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        started.forEach(Process::destroyForcibly);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static List<String> sleeperCommand(String marker) {
        return List.of(java(), "-Xmx32m", marker, "-cp", System.getProperty("java.class.path"), Sleeper.class.getName());
    }

    private String marker() {
        return "-Dclickstream.stack.dir=" + dir;
    }

    private ChildProcess child() {
        return new ChildProcess("sleeper", sleeperCommand(marker()), Map.of(),
                dir.resolve("logs/sleeper.log"), dir.resolve("pids/sleeper.pid"), marker());
    }

    private Process startDirectly(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    @Test
    void stopEndsTheChildAndRemovesItsPidFile() {
        ChildProcess child = child();
        child.start();
        long pid = child.pid().orElseThrow();
        assertThat(dir.resolve("pids/sleeper.pid")).content().startsWith(pid + System.lineSeparator());
        child.stop();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir.resolve("pids/sleeper.pid")).doesNotExist();
        assertThat(dir.resolve("logs/sleeper.log")).content().contains("starting sleeper");
    }

    @Test
    void aLeftoverWithThisStacksMarkerIsKilledBeforeTheStart() throws Exception {
        Process leftover = startDirectly(sleeperCommand(marker()));
        Files.createDirectories(dir.resolve("pids"));
        Files.writeString(dir.resolve("pids/sleeper.pid"), leftover.pid() + "\n" + marker() + "\n");

        ChildProcess child = child();
        try {
            child.start();
            assertThat(leftover.isAlive()).isFalse();
            assertThat(child.isAlive()).isTrue();
            assertThat(child.pid()).isNotEqualTo(java.util.Optional.of(leftover.pid()));
        } finally {
            child.stop();
        }
    }

    @Test
    void aProcessWithoutTheMarkerIsNeverKilledEvenIfItsPidIsRecorded() throws Exception {
        Process stranger = startDirectly(sleeperCommand("-Dclickstream.stack.dir=/somewhere/else"));
        Files.createDirectories(dir.resolve("pids"));
        Files.writeString(dir.resolve("pids/sleeper.pid"), stranger.pid() + "\n" + marker() + "\n");

        ChildProcess child = child();
        try {
            child.start();
            assertThat(stranger.isAlive()).isTrue();
            assertThat(child.isAlive()).isTrue();
        } finally {
            child.stop();
        }
    }

    @Test
    void theChildDiesWhenTheOrchestratorIsKilledWithSigkill() throws Exception {
        Process orchestrator = new ProcessBuilder(Orchestrator.command(dir)).redirectErrorStream(true).start();
        started.add(orchestrator);
        long childPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(orchestrator.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("CHILD ")) {
                // the orchestrator's log lines
            }
            assertThat(line).as("the orchestrator's CHILD line").isNotNull();
            childPid = Long.parseLong(line.substring("CHILD ".length()).trim());
        }
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
        assertThat(child.isAlive()).isTrue();

        orchestrator.destroyForcibly();
        orchestrator.waitFor();

        await().atMost(Duration.ofSeconds(15)).until(() -> !child.isAlive());
    }
}
