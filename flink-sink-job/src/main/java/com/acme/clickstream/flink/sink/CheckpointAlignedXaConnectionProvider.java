package com.acme.clickstream.flink.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

import javax.sql.XADataSource;
import javax.transaction.xa.Xid;

import org.apache.flink.connector.jdbc.datasource.connections.xa.SimpleXaConnectionProvider;
import org.apache.flink.connector.jdbc.datasource.connections.xa.XaConnectionProvider;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.exceptions.EmptyTransactionXaException;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The XA connection provider of the exactly-once sink: PostgreSQL's one-transaction-per-connection rule, with the
 * second phase moved to where it belongs, the completion of the checkpoint.
 *
 * <p><b>Why.</b> flink-connector-jdbc 4.0's {@code JdbcWriter} prepares the transaction of checkpoint N in
 * {@code prepareCommit()} and then, in {@code snapshotState(N)}, commits every prepared transaction up to its
 * previous checkpoint id, which includes the one it has just prepared (it resets its "pending records" flag in
 * {@code prepareCommit()}, so the "empty transaction" branch always runs). Rows thus become visible while checkpoint
 * N is still being taken; if N then fails (another subtask, a timeout), the job restores N-1 and writes those rows
 * again. The committer, called on completion, finds nothing left to commit.
 *
 * <p><b>What.</b> A commit asked for a transaction of this run ({@code ignoreUnknown == false}) is only recorded
 * ("held"); {@link CheckpointAlignedCommitter} commits the held transactions up to a checkpoint's committable when
 * Flink reports that checkpoint complete, and {@link XaSessionSink}'s writer adds the held transactions to the
 * prepared ones of its checkpoint state, so a restore commits them. Commits of restored transactions
 * ({@code ignoreUnknown == true}, at writer start, for a completed checkpoint) run at once.
 *
 * <p>Transactions are written on one connection and committed or rolled back on a second: PostgreSQL detaches a
 * transaction from its session at {@code PREPARE TRANSACTION}, so the writer's connection (on which the writer's
 * prepared statement lives for its whole life) starts the next transaction at once, while pgjdbc requires the
 * second phase on a connection that is in no transaction. This is {@code withTransactionPerConnection(true)}'s
 * contract; the connector's pooling provider for it would hand each new transaction a new connection while the
 * writer's statement stays on the first, which only worked because of the early commit above.
 *
 * <p>An empty transaction is not prepared: PostgreSQL would prepare it (pgjdbc opens a transaction block for the
 * {@code PREPARE TRANSACTION} itself) and every idle checkpoint would take one of the server's
 * {@code max_prepared_transactions} slots until the next checkpoint with records. The writer says when its
 * transaction is empty ({@link #currentTransactionIsEmpty()}); it is then rolled back and reported as the
 * connector's {@code EmptyTransactionXaException}, which the connector skips.
 *
 * <p>Ending a transaction this run did not start ({@code failAndRollback} of a restored "hanging" xid) is left to
 * {@link com.acme.clickstream.flink.hygiene.LeftoverTransactions}, which runs before the writer restores: pgjdbc
 * cannot end such a transaction on another connection (XAER_PROTO).
 */
public final class CheckpointAlignedXaConnectionProvider implements XaConnectionProvider {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointAlignedXaConnectionProvider.class);

    private final SerializableSupplier<XADataSource> dataSource;
    private transient SimpleXaConnectionProvider writer;
    private transient SimpleXaConnectionProvider finisher;
    private transient List<TransactionId> held;
    private transient Xid active;
    private transient boolean activeIsEmpty;
    private transient boolean open;

    public CheckpointAlignedXaConnectionProvider(SerializableSupplier<XADataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void open() {
        // Connections are opened on first use: the connector also opens a provider in its committer, which only
        // ever commits through the writer's provider (see CheckpointAlignedCommitter).
        held = new ArrayList<>();
        open = true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void start(Xid xid) throws Exception {
        writer().start(xid);
        active = xid;
        activeIsEmpty = false;
    }

    /** The writer wrote nothing in the transaction it is about to prepare. */
    public void currentTransactionIsEmpty() {
        activeIsEmpty = active != null;
    }

    @Override
    public void endAndPrepare(Xid xid) throws Exception {
        if (activeIsEmpty && xid.equals(active)) {
            try {
                writer().failAndRollback(xid);
            } finally {
                active = null;
                activeIsEmpty = false;
            }
            throw new EmptyTransactionXaException(xid);
        }
        try {
            writer().endAndPrepare(xid);
        } finally {
            active = null;
        }
    }

    @Override
    public void commit(Xid xid, boolean ignoreUnknown) {
        if (ignoreUnknown) {
            finisher().commit(xid, true);
        } else if (!held.contains(xid)) {
            held.add((TransactionId) xid);
        }
    }

    @Override
    public void rollback(Xid xid) {
        held.remove(xid);
        finisher().rollback(xid);
    }

    @Override
    public void failAndRollback(Xid xid) {
        if (xid.equals(active)) {
            try {
                writer().failAndRollback(xid);
            } finally {
                active = null;
            }
        } else {
            LOG.debug("Not ending {}: not started by this writer; the restore-time cleanup ends it", xid);
        }
    }

    @Override
    public Collection<Xid> recover() {
        return finisher().recover();
    }

    /** The transactions prepared and waiting for their checkpoint to complete, oldest first. */
    public List<TransactionId> held() {
        return held == null ? List.of() : List.copyOf(held);
    }

    /**
     * Commits the held transactions opened at or before {@code branch} (the checkpoint after which the committed
     * transaction was opened). On a failure the rest stays held; the job restarts and the restored writer commits
     * them from its checkpoint state.
     */
    public void commitHeldUntil(long branch) {
        held.sort(Comparator.comparingLong(TransactionId::getCheckpointId));
        for (Iterator<TransactionId> it = held.iterator(); it.hasNext(); ) {
            TransactionId xid = it.next();
            if (xid.getCheckpointId() > branch) {
                break;
            }
            finisher().commit(xid, false);
            it.remove();
        }
    }

    @Override
    public void close() throws SQLException {
        open = false;
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            writer = null;
            if (finisher != null) {
                finisher.close();
                finisher = null;
            }
        }
    }

    @Override
    public Connection getConnection() {
        return writer().getConnection();
    }

    @Override
    public boolean isConnectionValid() throws SQLException {
        return writer != null && writer.isConnectionValid();
    }

    @Override
    public Connection getOrEstablishConnection() throws SQLException {
        return writer().getOrEstablishConnection();
    }

    @Override
    public void closeConnection() {
        if (writer != null) {
            writer.closeConnection();
            writer = null;
        }
    }

    @Override
    public Connection reestablishConnection() {
        throw new UnsupportedOperationException("an XA connection is not re-established; the job restarts instead");
    }

    private SimpleXaConnectionProvider writer() {
        if (writer == null) {
            writer = opened();
        }
        return writer;
    }

    private SimpleXaConnectionProvider finisher() {
        if (finisher == null) {
            finisher = opened();
        }
        return finisher;
    }

    private SimpleXaConnectionProvider opened() {
        SimpleXaConnectionProvider provider = SimpleXaConnectionProvider.from(dataSource, null);
        try {
            provider.open();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open an XA connection to PostgreSQL: " + e.getMessage(), e);
        }
        return provider;
    }
}
