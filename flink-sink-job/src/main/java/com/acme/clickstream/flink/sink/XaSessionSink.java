package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.io.Serializable;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.acme.clickstream.flink.hygiene.FlinkXid;
import com.acme.clickstream.flink.hygiene.LeftoverTransactions;
import com.acme.clickstream.flink.hygiene.OrphanMonitor;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The exactly-once sessions sink: flink-connector-jdbc's XA {@link JdbcSink} (built with
 * {@code JdbcSink.builder()...buildExactlyOnce(...)}, see {@link SessionSinks}) plus what it lacks on PostgreSQL:
 * <ul>
 *   <li>rows become visible only when the checkpoint that covers them completes
 *       ({@link CheckpointAlignedXaConnectionProvider}, {@link CheckpointAlignedCommitter});</li>
 *   <li>before a writer restores, the prepared transactions its job lineage left uncommitted are rolled back
 *       ({@link LeftoverTransactions}), so a replay neither blocks on their locks nor reuses their xid;</li>
 *   <li>a restore with a lower parallelism (the connector's writer accepts one state only) gets the merged
 *       states of the old subtasks;</li>
 *   <li>subtask 0 watches for prepared transactions of other jobs ({@link OrphanMonitor}) and reports them as the
 *       metrics {@code orphanedPreparedTransactions}, {@code oldestOrphanAgeSeconds} and
 *       {@code orphanedPreparedTransactionsRolledBack}.</li>
 * </ul>
 * The connector's writer, committer and serializers stay as they are; state written by this sink is the
 * connector's own, so a job can switch between the two.
 */
public final class XaSessionSink implements Sink<SessionRow>, SupportsWriterState<SessionRow, JdbcWriterState>,
        SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;

    public static final String ORPHANED_PREPARED_TRANSACTIONS = "orphanedPreparedTransactions";
    public static final String OLDEST_ORPHAN_AGE_SECONDS = "oldestOrphanAgeSeconds";
    public static final String ORPHANS_ROLLED_BACK = "orphanedPreparedTransactionsRolledBack";

    /** How the sink treats prepared transactions of other jobs. */
    public record Hygiene(boolean rollbackOrphans, Duration checkInterval, Duration minAge) implements Serializable {}

    private final JdbcSink<SessionRow> jdbcSink;
    // The same instance as the one inside jdbcSink: both are serialized in one object graph with the sink.
    private final CheckpointAlignedXaConnectionProvider provider;
    private final PgConnectionSettings pg;
    private final Hygiene hygiene;

    XaSessionSink(JdbcSink<SessionRow> jdbcSink, CheckpointAlignedXaConnectionProvider provider,
            PgConnectionSettings pg, Hygiene hygiene) {
        this.jdbcSink = jdbcSink;
        this.provider = provider;
        this.pg = pg;
        this.hygiene = hygiene;
    }

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public Writer restoreWriter(WriterInitContext context, Collection<JdbcWriterState> recoveredState)
            throws IOException {
        String jobId = context.getJobInfo().getJobId().toHexString();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        long restoredCheckpoint = context.getRestoredCheckpointId().orElse(0L);

        Set<String> restoredJobs = jobIds(recoveredState);
        Set<String> lineage = new HashSet<>(restoredJobs);
        lineage.add(jobId);
        try {
            LeftoverTransactions.rollBack(pg, lineage, restoredCheckpoint, subtask, parallelism);
        } catch (SQLException e) {
            throw new IOException("cannot roll back the uncommitted prepared transactions of an earlier run: " + e, e);
        }

        JdbcWriter<SessionRow> writer = jdbcSink.restoreWriter(context,
                recoveredState.isEmpty() ? List.of() : List.of(merge(recoveredState)));

        OrphanMonitor monitor = null;
        if (subtask == 0) {
            monitor = new OrphanMonitor(pg, jobId, restoredJobs, hygiene.minAge(), hygiene.rollbackOrphans(),
                    hygiene.checkInterval());
            OrphanMonitor m = monitor;
            MetricGroup metrics = context.metricGroup();
            metrics.gauge(ORPHANED_PREPARED_TRANSACTIONS, (Gauge<Integer>) m::orphanCount);
            metrics.gauge(OLDEST_ORPHAN_AGE_SECONDS, (Gauge<Long>) m::oldestOrphanAgeSeconds);
            metrics.gauge(ORPHANS_ROLLED_BACK, (Gauge<Long>) m::rolledBackCount);
            monitor.start();
        }
        return new Writer(writer, provider, monitor);
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return jdbcSink.getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        return new CheckpointAlignedCommitter(jdbcSink.createCommitter(context));
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return jdbcSink.getCommittableSerializer();
    }

    /** The states of several old subtasks (after a change of parallelism) as one. */
    private static JdbcWriterState merge(Collection<JdbcWriterState> states) {
        if (states.size() == 1) {
            return states.iterator().next();
        }
        Set<TransactionId> prepared = new LinkedHashSet<>();
        Set<TransactionId> hanging = new LinkedHashSet<>();
        for (JdbcWriterState state : states) {
            prepared.addAll(state.getPrepared());
            hanging.addAll(state.getHanging());
        }
        return JdbcWriterState.of(prepared, hanging);
    }

    private static Set<String> jobIds(Collection<JdbcWriterState> states) {
        Set<String> jobs = new HashSet<>();
        for (JdbcWriterState state : states) {
            state.getPrepared().forEach(x -> FlinkXid.fromXid(x).ifPresent(f -> jobs.add(f.jobId())));
            state.getHanging().forEach(x -> FlinkXid.fromXid(x).ifPresent(f -> jobs.add(f.jobId())));
        }
        return jobs;
    }

    /** The connector's writer, its checkpoint state completed with the transactions held for commit. */
    public static final class Writer implements StatefulSinkWriter<SessionRow, JdbcWriterState>,
            CommittingSinkWriter<SessionRow, JdbcCommitable> {
        private final JdbcWriter<SessionRow> writer;
        private final CheckpointAlignedXaConnectionProvider provider;
        private final OrphanMonitor monitor;
        private boolean wroteSincePrepare;

        Writer(JdbcWriter<SessionRow> writer, CheckpointAlignedXaConnectionProvider provider, OrphanMonitor monitor) {
            this.writer = writer;
            this.provider = provider;
            this.monitor = monitor;
        }

        @Override
        public void write(SessionRow element, Context context) throws IOException, InterruptedException {
            writer.write(element, context);
            wroteSincePrepare = true;
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            if (!wroteSincePrepare) {
                provider.currentTransactionIsEmpty();
            }
            Collection<JdbcCommitable> committables = writer.prepareCommit();
            wroteSincePrepare = false;
            for (JdbcCommitable c : committables) {
                if (c.getTransaction().isPresent() && c.getTransaction().get().getConnectionProvider() != provider) {
                    throw new IllegalStateException("the writer's XA connection provider is not the sink's: "
                            + "the sink was not deserialized as one object graph");
                }
            }
            return committables;
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            List<JdbcWriterState> states = writer.snapshotState(checkpointId);
            if (monitor != null) {
                // A checkpoint is only triggered once every task runs, i.e. every sink subtask has restored.
                monitor.restoreComplete();
            }
            List<TransactionId> held = provider.held();
            if (held.isEmpty()) {
                return states;
            }
            JdbcWriterState state = states.get(0);
            Set<TransactionId> prepared = new LinkedHashSet<>(held);
            prepared.addAll(state.getPrepared());
            return List.of(JdbcWriterState.of(prepared, state.getHanging()));
        }

        @Override
        public void close() throws Exception {
            try {
                if (monitor != null) {
                    monitor.close();
                }
            } finally {
                writer.close();
            }
        }
    }
}
