package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink subtask's writer: the records between two checkpoints go into one PostgreSQL transaction on one
 * connection, which is prepared at the checkpoint's barrier. Any SQL failure fails the task: the job restarts
 * from the last completed checkpoint, and the new writer's {@link PreparedTransactionRecovery} ends what this one
 * left.
 *
 * <p>A batch is written with binary {@code COPY} (see {@link SessionCopy}, idempotent on session_id). The task thread
 * encodes each record as it arrives (it waits for the writer's thread most of the time anyway); a full batch is
 * written on the writer's own thread while the task thread goes on receiving and encoding the next one (at most one
 * batch in flight): the server's insert work and the job's CPU work overlap instead of alternating, and the
 * writer's thread, the one that paces the sink, only waits for PostgreSQL. The connection is only ever used by one
 * thread at a time: the task thread waits for the batch in flight before it prepares, and before it hands over the
 * next batch.
 */
final class PgSessionWriter implements StatefulSinkWriter<SessionRow, PgTwoPhaseCommitSink.WriterState>,
        CommittingSinkWriter<SessionRow, TransactionGid> {
    private static final Logger LOG = LoggerFactory.getLogger(PgSessionWriter.class);

    private final PgTwoPhaseCommitSink.Settings settings;
    private final String jobId;
    private final int subtask;
    private final Connection connection;
    private final SessionCopy copy;
    private final ExecutorService executor;
    private SessionCopy.Batch buffer;
    /** The batch whose write finished, kept for reuse: its arrays are sized already. */
    private SessionCopy.Batch spare;
    private SessionCopy.Batch inFlightBatch;
    private Future<SessionCopy.Written> inFlight;
    private final Counter alreadyPresent;
    private long lastCheckpoint;
    private int rowsInTransaction;
    /**
     * Whether the open transaction's batches are checked (ids looked up before COPY). The first transaction of a
     * writer is, because that is where replays of committed rows arrive (a start without state, a restore of an
     * older checkpoint), and so is the one after a transaction that found any present id. Otherwise batches go
     * unchecked, without the lookup's round trip and index probes, while the transaction's batches fit in
     * {@link #UNCHECKED_BYTES}: they are kept, so that a present id, which fails COPY on the primary key, costs a
     * rollback and a checked rewrite of the transaction rather than a restart.
     */
    private boolean checked = true;
    private boolean checkNext;
    private final List<SessionCopy.Batch> unchecked = new ArrayList<>();
    private long uncheckedBytes;

    /** Encoded rows kept per subtask for the rewrite of a transaction; beyond it, batches are checked. */
    static final long UNCHECKED_BYTES = 32L << 20;

    PgSessionWriter(PgTwoPhaseCommitSink.Settings settings, WriterInitContext context) throws IOException {
        this.settings = settings;
        this.jobId = context.getJobInfo().getJobId().toHexString();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        OptionalLong restored = context.getRestoredCheckpointId();
        this.lastCheckpoint = restored.orElse(0L);
        this.buffer = new SessionCopy.Batch(settings.rowsPerBatch());

        MetricGroup metrics = context.metricGroup();
        Connection c = null;
        try {
            c = settings.pg().connect(settings.lockTimeout(), settings.idleInTransactionTimeout());
            PreparedTransactionRecovery.Report report = PreparedTransactionRecovery.recover(c, settings.pipeline(),
                    subtask, parallelism, restored);
            metrics.counter(PgTwoPhaseCommitSink.ROLLED_BACK).inc(report.rolledBack().size());
            metrics.counter(PgTwoPhaseCommitSink.RECOMMITTED).inc(report.recommitted().size());
            metrics.counter(PgTwoPhaseCommitSink.UNOWNED_COMMITTED).inc(report.unownedCommitted().size());
            if (subtask == 0) {
                int foreign = report.foreign().size();
                metrics.gauge(PgTwoPhaseCommitSink.FOREIGN, (Gauge<Integer>) () -> foreign);
                for (String gid : report.foreign()) {
                    LOG.warn("Prepared transaction {} is not of pipeline {}: left alone. If it holds keys this job "
                            + "writes, writes fail after --lock-timeout and the job restarts until its owner ends it",
                            gid, settings.pipeline());
                }
            }
            c.setAutoCommit(false);
            this.copy = new SessionCopy(c, settings.table());
            this.connection = c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IOException("sink subtask " + subtask + ": cannot start on PostgreSQL: " + e, e);
        }
        this.alreadyPresent = metrics.counter(PgTwoPhaseCommitSink.ALREADY_PRESENT);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pg-sink-writer-" + subtask);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void write(SessionRow element, Context context) throws IOException {
        buffer.add(element);
        if (buffer.isFull()) {
            flushBuffer();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        flushBuffer();
    }

    /** Hands the buffered rows to the writer's thread, once the batch before them is written. */
    private void flushBuffer() throws IOException {
        if (buffer.rows() == 0) {
            return;
        }
        awaitInFlight();
        SessionCopy.Batch batch = buffer;
        if (!checked && uncheckedBytes + batch.size() > UNCHECKED_BYTES) {
            // The batches before stay in the transaction unchecked; the lookup of every later one sees them.
            checked = true;
            unchecked.clear();
            uncheckedBytes = 0;
        }
        boolean check = checked;
        List<SessionCopy.Batch> transaction;
        if (check) {
            transaction = List.of();
            buffer = spare != null ? spare : new SessionCopy.Batch(settings.rowsPerBatch());
            spare = null;
            inFlightBatch = batch;
        } else {
            unchecked.add(batch);
            uncheckedBytes += batch.size();
            transaction = List.copyOf(unchecked);
            buffer = new SessionCopy.Batch(settings.rowsPerBatch());
        }
        rowsInTransaction += batch.rows();
        inFlight = executor.submit(() -> copy.write(batch, check, transaction));
    }

    /** Waits for the batch in flight; its failure fails the task here. */
    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        SessionCopy.Written result;
        try {
            result = inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a batch was written");
        } catch (ExecutionException e) {
            throw new IOException("sink subtask " + subtask + ": insert failed: " + e.getCause(), e.getCause());
        } finally {
            inFlight = null;
        }
        if (inFlightBatch != null) {
            spare = inFlightBatch.clear();
            inFlightBatch = null;
        }
        if (result.redone()) {
            LOG.info("An unchecked batch met a session already in {}: rolled back and wrote the transaction's {} "
                    + "rows again, checked", settings.table(), result.rows());
            checked = true;
            checkNext = true;
            unchecked.clear();
            uncheckedBytes = 0;
        }
        int rows = result.rows();
        int inserted = result.inserted();
        if (inserted < rows) {
            checkNext = true;
            alreadyPresent.inc(rows - inserted);
            LOG.warn("{} of {} sessions were already in {} (a replay of a committed leftover, or a second copy "
                    + "after the dedup retention); kept the existing rows", rows - inserted, rows, settings.table());
        }
    }

    @Override
    public Collection<TransactionGid> prepareCommit() throws IOException {
        flushBuffer();
        awaitInFlight();
        if (rowsInTransaction == 0) {
            // Nothing written, no transaction open: an empty one would take a max_prepared_transactions slot.
            return List.of();
        }
        TransactionGid id = new TransactionGid(settings.pipeline(), subtask, lastCheckpoint + 1, jobId);
        try {
            try (PreparedStatement marker = connection.prepareStatement("insert into flink_sink_transactions"
                    + " (gid, pipeline, subtask, checkpoint_id, job_id, row_count) values (?, ?, ?, ?, ?, ?)")) {
                marker.setString(1, id.gid());
                marker.setString(2, id.pipeline());
                marker.setInt(3, id.subtask());
                marker.setLong(4, id.checkpoint());
                marker.setString(5, id.jobId());
                marker.setInt(6, rowsInTransaction);
                marker.executeUpdate();
            }
            try (Statement st = connection.createStatement()) {
                st.execute("prepare transaction '" + id.gid() + "'");
            }
        } catch (SQLException e) {
            throw new IOException("sink subtask " + subtask + ": cannot prepare " + id.gid() + ": " + e, e);
        }
        rowsInTransaction = 0;
        checked = checkNext;
        checkNext = false;
        unchecked.clear();
        uncheckedBytes = 0;
        return List.of(id);
    }

    @Override
    public List<PgTwoPhaseCommitSink.WriterState> snapshotState(long checkpointId) {
        lastCheckpoint = checkpointId;
        return List.of(new PgTwoPhaseCommitSink.WriterState(settings.pipeline()));
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        if (inFlight != null && !inFlight.isDone()) {
            // A batch still executing (possibly waiting for a lock) ends with the socket; its error no longer matters.
            try {
                connection.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closed below either way
            }
        }
        executor.awaitTermination(10, TimeUnit.SECONDS);
        // An open (unprepared) transaction ends with the session: rolled back, its records are replayed.
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the session ends either way
            }
        }
    }
}
