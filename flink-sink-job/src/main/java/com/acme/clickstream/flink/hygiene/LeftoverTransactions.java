package com.acme.clickstream.flink.hygiene;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.acme.clickstream.flink.sink.PgConnectionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore-time cleanup of one sink subtask: rolls back the prepared transactions that the restored job lineage
 * left behind and no completed checkpoint covers.
 *
 * <p>A writer restored from checkpoint C commits the transactions its state lists as prepared: they were all
 * prepared for C or earlier (their branch, the checkpoint after which they were opened, is below C). Every
 * transaction of the lineage opened at or after C held records that will be replayed from C's Kafka offsets; if one
 * is still prepared (a failure between its prepare and the completion of the next checkpoint), it must go, or it
 * holds the locks of the very rows the replay writes (the writer then blocks) and its xid is the one the writer
 * reuses for its next transaction. flink-connector-jdbc means to do this itself but cannot on PostgreSQL: it ends a
 * hanging transaction with {@code end(TMFAIL)}, which pgjdbc refuses on a connection that did not start it
 * (XAER_PROTO, logged, nothing rolled back), and its discovery compares the recovered xids by class
 * ({@code instanceof TransactionId}), which pgjdbc's recovered xids never are.
 *
 * <p>The lineage is the current job id and the job ids in the restored writer state (the job a retained checkpoint
 * or savepoint came from). Each subtask ends the transactions of the old subtasks {@code s} with
 * {@code s % parallelism == subtask}, so that after a change of parallelism every old subtask has one owner.
 */
public final class LeftoverTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverTransactions.class);

    private LeftoverTransactions() {}

    /**
     * @param lineage job ids (hex) this restore continues
     * @param restoredCheckpointId the checkpoint restored from, 0 when the job starts without one
     * @return the transactions rolled back
     */
    public static List<PreparedTransaction> rollBack(PgConnectionSettings pg, Set<String> lineage,
            long restoredCheckpointId, int subtask, int parallelism) throws SQLException {
        List<PreparedTransaction> rolledBack = new ArrayList<>();
        try (Connection connection = pg.connect()) {
            for (PreparedTransaction tx : PreparedTransactions.list(connection)) {
                if (tx.flinkXid().isEmpty()) {
                    continue;
                }
                FlinkXid xid = tx.flinkXid().get();
                if (lineage.contains(xid.jobId()) && xid.checkpointId() >= restoredCheckpointId
                        && xid.subtaskIndex() % parallelism == subtask) {
                    if (PreparedTransactions.rollback(connection, tx.gid())) {
                        rolledBack.add(tx);
                        LOG.info("Rolled back prepared transaction {} ({}, age {}): opened at or after the restored "
                                + "checkpoint {}, its records are replayed", tx.gid(), xid, tx.age(),
                                restoredCheckpointId);
                    }
                }
            }
        }
        return rolledBack;
    }
}
