package com.acme.clickstream.flink.hygiene;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.flink.sink.PgConnectionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, reports and (when enabled) rolls back prepared transactions that Flink's JDBC sink of another job left in
 * the database. Flink only ends its own job's transactions; those of an earlier job id (a cancelled job started
 * again without its checkpoint, a deployment replaced by one with a new job id, a parallel deployment that died)
 * stay prepared forever: they hold row locks and keep the server from vacuuming.
 *
 * <p>A prepared transaction of the sink is an <em>orphan</em> when it belongs to neither this job nor the jobs whose
 * state this job restored (their transactions are committed or rolled back by the restoring subtasks, see
 * {@link LeftoverTransactions}), and it is older than {@code minAge}: a live job keeps a transaction prepared at most
 * about one checkpoint interval plus the checkpoint timeout, so a younger one may still be committed by its owner.
 * A transaction of a restored job that is still there after the restore completed is reported too but never rolled
 * back: it may hold records of the checkpoint this job restored.
 *
 * <p>One monitor runs per job (in sink subtask 0): at start and every {@code interval}. Its findings are the gauges
 * {@code orphanedPreparedTransactions} and {@code oldestOrphanAgeSeconds} and a WARN line per orphan with its age.
 */
public final class OrphanMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanMonitor.class);

    private final PgConnectionSettings pg;
    private final String currentJobId;
    private final Set<String> restoredJobIds;
    private final Duration minAge;
    private final boolean rollback;
    private final Duration interval;
    private volatile boolean restoreComplete;
    private volatile int orphans;
    private volatile long oldestOrphanAgeSeconds;
    private volatile long rolledBack;
    private volatile boolean failing;
    private ScheduledExecutorService executor;

    public OrphanMonitor(PgConnectionSettings pg, String currentJobId, Set<String> restoredJobIds, Duration minAge,
            boolean rollback, Duration interval) {
        this.pg = pg;
        this.currentJobId = currentJobId;
        this.restoredJobIds = Set.copyOf(restoredJobIds);
        this.minAge = minAge;
        this.rollback = rollback;
        this.interval = interval;
    }

    /** The result of one scan: the orphans found (before any rollback) and those rolled back. */
    public record Report(List<PreparedTransaction> orphans, List<PreparedTransaction> rolledBack) {}

    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xa-orphan-monitor");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::checkQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Every subtask of this job has restored (and so committed or rolled back what it restored): from now on a
     * transaction of a restored job still prepared is an anomaly worth reporting.
     */
    public void restoreComplete() {
        restoreComplete = true;
    }

    public int orphanCount() {
        return orphans;
    }

    public long oldestOrphanAgeSeconds() {
        return oldestOrphanAgeSeconds;
    }

    public long rolledBackCount() {
        return rolledBack;
    }

    private void checkQuietly() {
        try {
            check();
            if (failing) {
                LOG.info("Scan of pg_prepared_xacts works again");
                failing = false;
            }
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("Scan of pg_prepared_xacts for orphaned XA transactions failed (retried every {}): {}",
                        interval, e.toString());
                failing = true;
            }
        }
    }

    /** One scan: report the orphans, roll back those that may be rolled back when enabled. */
    public Report check() throws Exception {
        List<PreparedTransaction> found = new ArrayList<>();
        List<PreparedTransaction> ended = new ArrayList<>();
        try (Connection connection = pg.connect()) {
            for (PreparedTransaction tx : PreparedTransactions.list(connection)) {
                if (tx.flinkXid().isEmpty() || tx.age().compareTo(minAge) < 0) {
                    continue; // not the JDBC sink's, or possibly still in flight
                }
                FlinkXid xid = tx.flinkXid().get();
                if (xid.jobId().equals(currentJobId)) {
                    continue; // this job's: Flink commits or ends it
                }
                boolean ofRestoredJob = restoredJobIds.contains(xid.jobId());
                if (ofRestoredJob && !restoreComplete) {
                    continue; // being committed or rolled back by a restoring subtask right now
                }
                found.add(tx);
                boolean mayRollBack = rollback && !ofRestoredJob;
                boolean rolledBackNow = mayRollBack && PreparedTransactions.rollback(connection, tx.gid());
                if (rolledBackNow) {
                    ended.add(tx);
                }
                LOG.warn("Orphaned prepared transaction {} ({}), prepared {} ago by {}: {}", tx.gid(), xid,
                        tx.age(), tx.owner(), rolledBackNow ? "rolled back"
                                : ofRestoredJob ? "of the job this job restored from; never rolled back automatically"
                                        + " (it may hold records of the restored checkpoint): end it by hand"
                                : rollback ? "gone before it could be rolled back"
                                : "not rolled back (--rollback-orphaned-xa is false); it holds row locks until "
                                        + "ended: ROLLBACK PREPARED '" + tx.gid() + "'");
            }
        }
        orphans = found.size();
        oldestOrphanAgeSeconds = found.stream().mapToLong(t -> t.age().toSeconds()).max().orElse(0);
        rolledBack += ended.size();
        return new Report(found, ended);
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
