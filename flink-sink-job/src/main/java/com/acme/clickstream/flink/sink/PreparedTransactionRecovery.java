package com.acme.clickstream.flink.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a sink writer does, before it writes, with the prepared transactions left in {@code pg_prepared_xacts}.
 *
 * <p>The rules, for transactions of this pipeline whose subtask maps to this writer ({@code subtask % parallelism}):
 * <ol>
 *   <li><b>Restored from checkpoint R, transaction after R</b>: rolled back. Its records at or after the source
 *       position of R are replayed by this run; those before it were written by the run that completed R (the same
 *       Kafka records give the same rows), whose transactions up to R are committed. This covers leftovers of any
 *       run that restored R or an earlier checkpoint and died (restoring one checkpoint twice), whatever its job id.</li>
 *   <li><b>Restored from R, transaction at or before R</b>: committed. R completed, so it covers the records.</li>
 *   <li><b>Started without state</b>: committed, and reported. The source starts from the consumer group's offsets,
 *       which are committed on checkpoint completion, possibly before the sink's commit: the transaction may hold
 *       records that will never be replayed, so a rollback could lose them. A commit never can: the insert is
 *       idempotent on session_id, so rows that are also replayed end up once.</li>
 * </ol>
 * Prepared transactions of other pipelines and not of this sink are never touched; they are reported (they may
 * hold locks of keys this job writes: {@code lock_timeout} then fails the write, and the job restarts until they
 * are ended). Ending a transaction that someone else ended meanwhile is not an error.
 */
public final class PreparedTransactionRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedTransactionRecovery.class);
    private static final String UNDEFINED_OBJECT = "42704";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private PreparedTransactionRecovery() {}

    /** What one writer found and did. */
    public record Report(List<String> rolledBack, List<String> recommitted, List<String> unownedCommitted,
            List<String> foreign) {}

    public static Report recover(Connection autocommit, String pipeline, int subtask, int parallelism,
            OptionalLong restoredCheckpoint) throws SQLException {
        List<String> rolledBack = new ArrayList<>();
        List<String> recommitted = new ArrayList<>();
        List<String> unowned = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        for (String[] tx : list(autocommit)) {
            String gid = tx[0];
            var parsed = TransactionGid.parse(gid);
            if (parsed.isEmpty() || !parsed.get().pipeline().equals(pipeline)) {
                foreign.add(gid);
                continue;
            }
            TransactionGid id = parsed.get();
            if (id.subtask() % parallelism != subtask) {
                continue;
            }
            try {
                endByTheRules(autocommit, pipeline, restoredCheckpoint, id, tx, rolledBack, recommitted, unowned);
            } catch (SQLException e) {
                if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw e;
                }
                // Only the role that prepared a transaction, or a superuser, may end it (PostgreSQL's rule): a
                // leftover of a run under another role blocks this one until an operator ends it.
                throw new SQLException("prepared transaction " + gid + " of pipeline " + pipeline + " was prepared by"
                        + " role " + tx[2] + ", which is not this job's: only that role or a superuser may end it."
                        + " End it as that role by this job's rules (commit it if its checkpoint " + id.checkpoint()
                        + " is at or before the one the job restores, else roll it back), then the job continues",
                        INSUFFICIENT_PRIVILEGE, e);
            }
        }
        return new Report(List.copyOf(rolledBack), List.copyOf(recommitted), List.copyOf(unowned),
                List.copyOf(foreign));
    }

    /** The rules above for one transaction of this writer. */
    private static void endByTheRules(Connection autocommit, String pipeline, OptionalLong restoredCheckpoint,
            TransactionGid id, String[] tx, List<String> rolledBack, List<String> recommitted, List<String> unowned)
            throws SQLException {
        String gid = tx[0];
        if (restoredCheckpoint.isPresent() && id.checkpoint() > restoredCheckpoint.getAsLong()) {
            if (end(autocommit, "rollback", gid)) {
                rolledBack.add(gid);
                LOG.info("Rolled back prepared transaction {} (prepared {}): after the restored checkpoint {}, "
                        + "its records are replayed", gid, tx[1], restoredCheckpoint.getAsLong());
            }
        } else if (restoredCheckpoint.isPresent()) {
            if (end(autocommit, "commit", gid)) {
                recommitted.add(gid);
                LOG.info("Committed prepared transaction {} (prepared {}): covered by the restored checkpoint {}",
                        gid, tx[1], restoredCheckpoint.getAsLong());
            }
        } else if (end(autocommit, "commit", gid)) {
            unowned.add(gid);
            LOG.warn("Committed prepared transaction {} (prepared {} by {}) of pipeline {} left by a run whose "
                    + "state this job did not restore: its records may lie before the consumer group's offsets "
                    + "and never be replayed, so it is committed, not rolled back (the insert is idempotent on "
                    + "session_id: replayed records add no second row)", gid, tx[1], tx[2], pipeline);
        }
    }

    /** gid, prepared, owner of the prepared transactions of the current database, oldest first. */
    static List<String[]> list(Connection connection) throws SQLException {
        List<String[]> result = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("select gid, prepared::text, owner from pg_prepared_xacts"
                + " where database = current_database() order by prepared");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        return result;
    }

    /** {@code COMMIT PREPARED} or {@code ROLLBACK PREPARED}; false when the transaction is not prepared (any more). */
    static boolean end(Connection autocommit, String how, String gid) throws SQLException {
        try (Statement st = autocommit.createStatement()) {
            st.execute(how + " prepared '" + gid.replace("'", "''") + "'");
            return true;
        } catch (SQLException e) {
            if (UNDEFINED_OBJECT.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }
}
