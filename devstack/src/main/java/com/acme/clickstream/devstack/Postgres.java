package com.acme.clickstream.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from Maven-packaged binaries (zonky), bound to 127.0.0.1, ready for XA
 * ({@code max_prepared_transactions} > 0). The data directory survives {@link #stop()}: {@link #start()}
 * again is a server restart with all committed and prepared transactions kept.
 */
public final class Postgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Postgres.class);
    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final Path dataDir;
    private final Path workDir;
    private final int port;
    private final int maxPreparedTransactions;
    private EmbeddedPostgres server;

    private Postgres(Path dataDir, Path workDir, int port, int maxPreparedTransactions) {
        this.dataDir = dataDir;
        this.workDir = workDir;
        this.port = port;
        this.maxPreparedTransactions = maxPreparedTransactions;
    }

    /**
     * Starts PostgreSQL on {@code dataDir} (initialised when new, kept otherwise); port 0 = a free port.
     * The binaries are unpacked under {@code workDir}.
     */
    public static Postgres start(Path dataDir, Path workDir, int port, int maxPreparedTransactions) {
        Postgres postgres = new Postgres(dataDir, workDir, FreePorts.orFree(port), maxPreparedTransactions);
        postgres.start();
        return postgres;
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(workDir);
            stopLeftoverServer();
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(workDir.toFile())
                    .setPort(port)
                    .setRegisterShutdownHook(true)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_prepared_transactions", String.valueOf(maxPreparedTransactions))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "on")
                    // The load tool's bench reads when each session row became visible from its commit time.
                    .setServerConfig("track_commit_timestamp", "on")
                    .start();
            LOG.info("PostgreSQL listening on {} (data dir {})", jdbcUrl(), dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL failed to start on port " + port + " with data dir " + dataDir, e);
        }
    }

    /** Stops the server (fast shutdown); the data directory is kept. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not stop cleanly", e);
        } finally {
            server = null;
        }
    }

    /**
     * A crash of the server: SIGKILL of the postmaster, no shutdown checkpoint; its backends exit as they notice
     * (PostgreSQL's postmaster-death check). {@link #start()} again runs crash recovery from the WAL, as after a
     * power cut of the database machine: committed and prepared transactions survive, open ones are gone.
     * Returns once the postmaster and every backend it had are gone.
     */
    public synchronized void crash() {
        if (server == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        ProcessHandle postmaster;
        try {
            List<String> pid = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            postmaster = parsePid(pid.isEmpty() ? "" : pid.get(0)).flatMap(ProcessHandle::of)
                    .orElseThrow(() -> new IllegalStateException("no running postmaster in " + dataDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read postmaster.pid of " + dataDir, e);
        }
        List<ProcessHandle> backends = postmaster.descendants().toList();
        if (!postmaster.destroyForcibly()) {
            throw new IllegalStateException("could not SIGKILL the postmaster (pid " + postmaster.pid() + ")");
        }
        awaitExit(postmaster);
        backends.forEach(Postgres::awaitExit);
        LOG.warn("PostgreSQL crashed (SIGKILL of postmaster pid {}, {} backends gone)", postmaster.pid(),
                backends.size());
        try {
            // Releases the library's lock on the data directory; its pg_ctl stop finds no server and says so.
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the crashed server's handle", e);
        } finally {
            server = null;
        }
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("PostgreSQL process " + process.pid() + " still alive 60 s after the "
                    + "postmaster's SIGKILL", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for PostgreSQL process " + process.pid(), e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isRunning() {
        return server != null;
    }

    /** The JDBC URL of the default database, with the user, as printed by the local stack. */
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    public DataSource dataSource() {
        return dataSource(DATABASE);
    }

    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(USER);
        return ds;
    }

    /** Creates a database unless it exists (tests of separate modules each get their own). */
    public void createDatabase(String name) {
        try (Connection c = dataSource().getConnection();
             var exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, name);
            try (var rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (var create = c.createStatement()) {
                create.execute("create database \"" + name.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /**
     * A server left running on this data directory by a run that died (kill -9, machine crash of the
     * JVM only) would make the start fail: stop it first. postmaster.pid's first line is its pid.
     */
    private void stopLeftoverServer() throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> leftover = lines.isEmpty() ? Optional.empty()
                : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (leftover.isEmpty()) {
            return;
        }
        ProcessHandle process = leftover.get();
        LOG.warn("PostgreSQL (pid {}) left running on {} by an earlier run: stopping it", process.pid(), dataDir);
        // SIGINT is PostgreSQL's fast shutdown: it ends sessions and writes a clean checkpoint.
        try {
            new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start().waitFor();
            process.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
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
