package com.acme.clickstream.flink.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults and probes for {@link FaultInjectingSink}, shared with the test through static state (the MiniCluster
 * runs in the test JVM). Each fault fires once; {@link #reset()} before each test.
 */
public final class Faults {
    private Faults() {}

    /** Records handed to the sink writer, over all subtasks and attempts. */
    public static final AtomicLong written = new AtomicLong();
    /** Fail the writer's {@code write} when this many records were written (0 = off). */
    public static final AtomicLong failWriteAt = new AtomicLong();
    public static final AtomicBoolean writeFailed = new AtomicBoolean();

    /**
     * Fail right after a writer's snapshotState that followed a prepareCommit with records: the transaction is
     * prepared (and handed to the committer), the checkpoint cannot complete.
     */
    public static final AtomicBoolean failAfterPrepare = new AtomicBoolean();
    public static final List<String> preparedAtFailAfterPrepare = new CopyOnWriteArrayList<>();

    /**
     * Block right after a writer's snapshotState that followed a prepareCommit with records, until the task is
     * cancelled: the job then ends with a transaction prepared for a checkpoint that never completes.
     */
    public static final AtomicBoolean holdAfterPrepare = new AtomicBoolean();
    public static final List<String> preparedAtHold = new CopyOnWriteArrayList<>();

    /** Fail in the committer before it commits: the checkpoint is complete, its transaction prepared, not committed. */
    public static final AtomicBoolean failBeforeCommit = new AtomicBoolean();
    public static final List<String> preparedAtFailBeforeCommit = new CopyOnWriteArrayList<>();

    /** Hold the committer until released: observe the state between a checkpoint's completion and its commit. */
    public static volatile CountDownLatch commitGate;
    public static volatile CountDownLatch commitEntered = new CountDownLatch(1);

    /** The database whose prepared transactions the probes list. */
    public static volatile String jdbcUrl;
    public static volatile String database;

    public static void reset() {
        written.set(0);
        failWriteAt.set(0);
        writeFailed.set(false);
        failAfterPrepare.set(false);
        preparedAtFailAfterPrepare.clear();
        holdAfterPrepare.set(false);
        preparedAtHold.clear();
        failBeforeCommit.set(false);
        preparedAtFailBeforeCommit.clear();
        commitGate = null;
        commitEntered = new CountDownLatch(1);
    }

    static void awaitCommitGate() throws InterruptedException {
        CountDownLatch gate = commitGate;
        if (gate != null) {
            commitEntered.countDown();
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("commit gate never opened");
            }
        }
    }

    static List<String> preparedNow() {
        List<String> gids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("select gid from pg_prepared_xacts where database = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return gids;
    }
}
