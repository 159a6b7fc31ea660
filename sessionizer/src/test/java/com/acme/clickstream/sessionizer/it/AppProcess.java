package com.acme.clickstream.sessionizer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.devstack.FreePorts;

/**
 * The packaged service ({@code quarkus-app/quarkus-run.jar}) as a child process, as it runs in a
 * container: configured by environment variables, killed with SIGKILL when a test wants a crash.
 */
final class AppProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final int port;
    final int managementPort;
    final Path log;
    private final Process process;
    final long startedNanos;
    /** The wall clock at the start, to place the log's timestamps on the same time line. */
    final long startedEpochMs;

    private AppProcess(Process process, int port, int managementPort, Path log, long startedNanos,
            long startedEpochMs) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.startedNanos = startedNanos;
        this.startedEpochMs = startedEpochMs;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("sessionizer.app.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("packaged application not found: " + jar + " (run mvn verify)");
        }
        return jar;
    }

    /** Starts the jar with these environment variables (on top of a clean HTTP port) and a fresh log file. */
    static AppProcess start(String name, Map<String, String> env) {
        return start(name, env, FreePorts.next());
    }

    static AppProcess start(String name, Map<String, String> env, int port) {
        return start(name, env, port, List.of());
    }

    /**
     * As {@link #start(String, Map, int)}, with these JVM options before {@code -jar}. The jar is started from its
     * own directory under its file name, as the container image does from /deployments: a class data sharing
     * archive ({@code -XX:SharedArchiveFile=app-cds.jsa}) is valid only for the class path it was written with.
     */
    static AppProcess start(String name, Map<String, String> env, int port, List<String> jvmOptions) {
        try {
            Path log = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), name + "-", ".log");
            Path jar = jar().toAbsolutePath();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.getFileName().toString()));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(jar.getParent().toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            int managementPort = FreePorts.next();
            pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
            pb.environment().put("SESSIONIZER_ADVERTISED_HOST", "127.0.0.1");
            pb.environment().putAll(env);
            long startedEpochMs = System.currentTimeMillis();
            long started = System.nanoTime();
            return new AppProcess(pb.start(), port, managementPort, log, started, startedEpochMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; its exit code. */
    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("process did not exit within " + timeout + "; log:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A counter of the service's Prometheus metrics, summed over its series (0 before the first increment, -1 when the endpoint does not answer). */
    long counter(String name) {
        HttpResult r = get("/q/metrics");
        if (r.status() != 200) {
            return -1;
        }
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) sum;
    }

    /**
     * The status and body of GET path, or status -1 when nothing listens. Health and metrics ({@code /q/...}) are
     * asked on the management interface, everything else on the API's port.
     */
    HttpResult get(String path) {
        return get(path, Map.of());
    }

    /** As {@link #get(String)}, with these request headers. */
    HttpResult get(String path, Map<String, String> headers) {
        int target = path.startsWith("/q/") ? managementPort : port;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + path))
                    .timeout(Duration.ofSeconds(10));
            headers.forEach(request::header);
            HttpResponse<String> r = HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
            return new HttpResult(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null),
                    r.headers().firstValue("X-Sessionizer-Served-By").orElse(null));
        } catch (IOException e) {
            return new HttpResult(-1, e.toString(), null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Resident memory in kB: VmRSS of /proc/PID/status on Linux, {@code ps -o rss=} where there is no /proc (macOS). */
    long rssKb() {
        Path status = Path.of("/proc", String.valueOf(pid()), "status");
        try {
            if (!Files.exists(status)) {
                Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", String.valueOf(pid())).start();
                String out = new String(ps.getInputStream().readAllBytes()).trim();
                if (!ps.waitFor(10, TimeUnit.SECONDS) || out.isEmpty()) {
                    throw new IllegalStateException("ps found no resident size for " + pid());
                }
                return Long.parseLong(out);
            }
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no VmRSS for " + pid());
    }

    /**
     * CPU time the process has used so far, all threads, user and system, in ms (utime + stime of /proc/PID/stat,
     * in Linux's clock ticks of 10 ms); -1 where there is no /proc. Unlike wall time, it does not grow when other
     * work on the machine takes the cores away.
     */
    long cpuMs() {
        Path stat = Path.of("/proc", String.valueOf(pid()), "stat");
        try {
            if (!Files.exists(stat)) {
                return -1;
            }
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // Fields after the command name start at field 3 (state): utime is field 14, stime field 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9: no shutdown hook, no commit, no transaction abort. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    record HttpResult(int status, String body, String retryAfter, String servedBy) {}
}
