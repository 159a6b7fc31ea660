package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.XaTransaction;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;

/**
 * Commits, when Flink reports a checkpoint complete, exactly the transactions that checkpoint covers: those opened
 * at or before its committable's (see {@link CheckpointAlignedXaConnectionProvider}). The connector's committer
 * would commit every prepared transaction of the writer, including one already prepared for the next checkpoint
 * when that checkpoint's barrier reached the writer before this notification did.
 *
 * <p>A committable restored from a checkpoint carries no transaction object: the restored writer commits its
 * prepared transactions when it starts, from its own state, so there is nothing to do for it here.
 */
final class CheckpointAlignedCommitter implements Committer<JdbcCommitable> {
    private final Committer<JdbcCommitable> connectorCommitter;

    CheckpointAlignedCommitter(Committer<JdbcCommitable> connectorCommitter) {
        this.connectorCommitter = connectorCommitter;
    }

    @Override
    public void commit(Collection<CommitRequest<JdbcCommitable>> requests) throws IOException {
        for (CommitRequest<JdbcCommitable> request : requests) {
            JdbcCommitable committable = request.getCommittable();
            Optional<XaTransaction> transaction = committable.getTransaction();
            if (transaction.isEmpty()) {
                continue;
            }
            long branch = ((TransactionId) committable.getXid()).getCheckpointId();
            XaTransaction tx = transaction.get();
            // At the end of a bounded input the writer prepares a last transaction without a checkpoint snapshot
            // after it: it is still on the writer's prepared list, move it to the held ones first.
            if (tx.getState().getPrepared().stream().anyMatch(x -> x.getCheckpointId() <= branch)) {
                tx.commitTxUntil(branch);
            }
            ((CheckpointAlignedXaConnectionProvider) tx.getConnectionProvider()).commitHeldUntil(branch);
        }
    }

    @Override
    public void close() throws Exception {
        connectorCommitter.close();
    }
}
