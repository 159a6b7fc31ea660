package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

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
 */
final class PgSessionWriter implements StatefulSinkWriter<SessionRow, PgTwoPhaseCommitSink.WriterState>,
        CommittingSinkWriter<SessionRow, TransactionGid> {
    private static final Logger LOG = LoggerFactory.getLogger(PgSessionWriter.class);

    private final PgTwoPhaseCommitSink.Settings settings;
    private final String jobId;
    private final int subtask;
    private final Connection connection;
    private final PreparedStatement fullStatement;
    private final List<SessionRow> buffer;
    private final Counter alreadyPresent;
    private long lastCheckpoint;
    private int rowsInTransaction;

    PgSessionWriter(PgTwoPhaseCommitSink.Settings settings, WriterInitContext context) throws IOException {
        this.settings = settings;
        this.jobId = context.getJobInfo().getJobId().toHexString();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        OptionalLong restored = context.getRestoredCheckpointId();
        this.lastCheckpoint = restored.orElse(0L);
        this.buffer = new ArrayList<>(settings.rowsPerStatement());

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
            this.fullStatement = c.prepareStatement(
                    SessionStatements.insertSessionsIdempotent(settings.table(), settings.rowsPerStatement()));
            this.connection = c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IOException("sink subtask " + subtask + ": cannot start on PostgreSQL: " + e, e);
        }
        this.alreadyPresent = metrics.counter(PgTwoPhaseCommitSink.ALREADY_PRESENT);
    }

    @Override
    public void write(SessionRow element, Context context) throws IOException {
        buffer.add(element);
        if (buffer.size() >= settings.rowsPerStatement()) {
            flushBuffer();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        flushBuffer();
    }

    private void flushBuffer() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        int rows = buffer.size();
        try {
            int inserted;
            if (rows == settings.rowsPerStatement()) {
                bindAll(fullStatement);
                inserted = fullStatement.executeUpdate();
            } else {
                try (PreparedStatement ps = connection.prepareStatement(
                        SessionStatements.insertSessionsIdempotent(settings.table(), rows))) {
                    bindAll(ps);
                    inserted = ps.executeUpdate();
                }
            }
            rowsInTransaction += rows;
            if (inserted < rows) {
                alreadyPresent.inc(rows - inserted);
                LOG.warn("{} of {} sessions were already in {} (a replay of a committed leftover, or a second copy "
                        + "after the dedup retention); kept the existing rows", rows - inserted, rows, settings.table());
            }
        } catch (SQLException e) {
            throw new IOException("sink subtask " + subtask + ": insert of " + rows + " sessions failed: " + e, e);
        }
        buffer.clear();
    }

    private void bindAll(PreparedStatement ps) throws SQLException {
        int base = 0;
        for (SessionRow row : buffer) {
            SessionStatements.bind(ps, base, row);
            base += SessionStatements.SESSION_PARAMETERS;
        }
    }

    @Override
    public Collection<TransactionGid> prepareCommit() throws IOException {
        flushBuffer();
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
        return List.of(id);
    }

    @Override
    public List<PgTwoPhaseCommitSink.WriterState> snapshotState(long checkpointId) {
        lastCheckpoint = checkpointId;
        return List.of(new PgTwoPhaseCommitSink.WriterState(settings.pipeline()));
    }

    @Override
    public void close() {
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
