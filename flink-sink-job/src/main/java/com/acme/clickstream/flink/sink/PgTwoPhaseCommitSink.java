package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The exactly-once sessions sink: PostgreSQL's own two-phase commit on Flink's public Sink V2 API.
 *
 * <ul>
 *   <li>The writer ({@link PgSessionWriter}) writes the records between two checkpoints in one transaction
 *       ({@code COPY}, idempotent on session_id: {@link SessionCopy}) and, at the checkpoint's barrier,
 *       records the transaction in {@code flink_sink_transactions} and runs {@code PREPARE TRANSACTION 'gid'}.</li>
 *   <li>The committable is the gid ({@link TransactionGid}, serialized as text): Flink's committer operator stores
 *       it in its state, hands it to {@link PgCommitter} when the checkpoint completes, and again after a restore
 *       if the commit had not happened; chained or not, it is only ever data.</li>
 *   <li>{@link PgCommitter} runs {@code COMMIT PREPARED}; a gid that is no longer prepared is looked up in
 *       {@code flink_sink_transactions}: committed if its row is there, otherwise reported as lost.</li>
 *   <li>Before a writer writes, {@link PreparedTransactionRecovery} ends the pipeline's leftovers by rules that
 *       cannot lose rows.</li>
 * </ul>
 * The writer state is the pipeline name only: it gives the writer the checkpoint ids ({@code snapshotState}) that
 * its gids carry.
 */
public final class PgTwoPhaseCommitSink implements Sink<SessionRow>,
        SupportsWriterState<SessionRow, PgTwoPhaseCommitSink.WriterState>, SupportsCommitter<TransactionGid> {
    private static final long serialVersionUID = 1L;

    /** Prepared transactions this writer rolled back at start (after the restored checkpoint). */
    public static final String ROLLED_BACK = "preparedTransactionsRolledBack";
    /** Prepared transactions this writer committed at start (at or before the restored checkpoint). */
    public static final String RECOMMITTED = "preparedTransactionsRecommitted";
    /** Prepared transactions of the pipeline committed at a start without state: reported, see the README. */
    public static final String UNOWNED_COMMITTED = "unownedPreparedTransactionsCommitted";
    /** Prepared transactions of the database that are not this pipeline's, at the last writer start (subtask 0). */
    public static final String FOREIGN = "foreignPreparedTransactions";
    /** Records whose session_id was already in the table: a replay of a committed leftover or a late duplicate. */
    public static final String ALREADY_PRESENT = "sessionsAlreadyPresent";
    /** Committables whose transaction was neither prepared nor recorded as committed: rows lost outside the sink. */
    public static final String LOST = "lostTransactions";

    /**
     * @param idleInTransactionTimeout how long the server keeps an idle open transaction of a writer whose client
     *     vanished; at least the longest a live writer leaves it idle (checkpoint interval + timeout)
     * @param markerRetention how long {@code flink_sink_transactions} rows are kept (a commit retried from a
     *     checkpoint older than this finds no row and is reported lost)
     */
    public record Settings(PgConnectionSettings pg, String table, String pipeline, int rowsPerBatch,
            Duration lockTimeout, Duration idleInTransactionTimeout, Duration markerRetention) implements Serializable {
        public Settings {
            if (rowsPerBatch < 1) {
                throw new IllegalArgumentException("rows per batch must be positive: " + rowsPerBatch);
            }
        }
    }

    /** The writer's checkpointed state. */
    public record WriterState(String pipeline) {}

    private final Settings settings;

    public PgTwoPhaseCommitSink(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public PgSessionWriter createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public PgSessionWriter restoreWriter(WriterInitContext context, Collection<WriterState> recoveredState)
            throws IOException {
        for (WriterState state : recoveredState) {
            if (!state.pipeline().equals(settings.pipeline())) {
                // Leftovers are found by pipeline name: those of the old name are not this run's to end.
                throw new IOException("the restored state is of pipeline '" + state.pipeline() + "', this job is '"
                        + settings.pipeline() + "': restore it with the same --pipeline-name, or end the old name's "
                        + "prepared transactions first");
            }
        }
        return new PgSessionWriter(settings, context);
    }

    @Override
    public SimpleVersionedSerializer<WriterState> getWriterStateSerializer() {
        return new WriterStateSerializer();
    }

    @Override
    public Committer<TransactionGid> createCommitter(CommitterInitContext context) throws IOException {
        return new PgCommitter(settings, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<TransactionGid> getCommittableSerializer() {
        return new TransactionGid.Serializer();
    }

    static final class WriterStateSerializer implements SimpleVersionedSerializer<WriterState> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(WriterState state) {
            return state.pipeline().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public WriterState deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown version " + version + " of the sink writer's state");
            }
            return new WriterState(new String(serialized, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
