package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the prepared transactions of completed checkpoints. Called by Flink's committer operator from
 * {@code notifyCheckpointComplete} and, after a restore, for the committables of the restored checkpoint whose
 * commit had not happened; a gid may therefore be committed already.
 */
final class PgCommitter implements Committer<TransactionGid> {
    private static final Logger LOG = LoggerFactory.getLogger(PgCommitter.class);
    /** Prune the ground-truth rows about once per this many commits: a cheap indexed delete, no need each time. */
    private static final int PRUNE_EVERY = 200;

    private final PgTwoPhaseCommitSink.Settings settings;
    private final Counter lost;
    private Connection connection;
    private long commits;

    PgCommitter(PgTwoPhaseCommitSink.Settings settings, SinkCommitterMetricGroup metrics) {
        this.settings = settings;
        this.lost = metrics.counter(PgTwoPhaseCommitSink.LOST);
    }

    @Override
    public void commit(Collection<CommitRequest<TransactionGid>> requests) throws IOException {
        for (CommitRequest<TransactionGid> request : requests) {
            String gid = request.getCommittable().gid();
            try {
                Connection c = connection();
                if (PreparedTransactionRecovery.end(c, "commit", gid)) {
                    continue;
                }
                if (recordedAsCommitted(c, gid)) {
                    request.signalAlreadyCommitted();
                } else {
                    // Not prepared and not committed: someone rolled it back (by hand, another tool). Its records
                    // may not be replayed, so this is reported, never assumed committed.
                    lost.inc();
                    LOG.error("Prepared transaction {} of a completed checkpoint was neither committed nor is it "
                            + "prepared any more: it was rolled back outside this job and its sessions may be "
                            + "missing from {} (or its flink_sink_transactions row was pruned, older than {})",
                            gid, settings.table(), settings.markerRetention());
                    request.signalFailedWithKnownReason(new IllegalStateException(gid + " was rolled back"));
                }
            } catch (SQLException e) {
                closeConnection();
                // The job restarts and the restored committer retries this commit.
                throw new IOException("cannot commit prepared transaction " + gid + ": " + e, e);
            }
            if (++commits % PRUNE_EVERY == 0) {
                prune();
            }
        }
    }

    private static boolean recordedAsCommitted(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from flink_sink_transactions where gid = ?")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void prune() {
        try (PreparedStatement ps = connection().prepareStatement("delete from flink_sink_transactions"
                + " where pipeline = ? and prepared_at < now() - ?::interval")) {
            ps.setString(1, settings.pipeline());
            ps.setString(2, settings.markerRetention().toSeconds() + " seconds");
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("cannot prune flink_sink_transactions (tried again later): {}", e.toString());
            closeConnection();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = settings.pg().connect(settings.lockTimeout(), settings.idleInTransactionTimeout());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // a broken connection is replaced on the next commit
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
