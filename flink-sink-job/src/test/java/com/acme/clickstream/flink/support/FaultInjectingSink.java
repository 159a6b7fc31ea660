package com.acme.clickstream.flink.support;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.PgTwoPhaseCommitSink;
import com.acme.clickstream.flink.sink.TransactionGid;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The job's exactly-once sink with the {@link Faults} around its writer and committer. */
public final class FaultInjectingSink implements Sink<SessionRow>,
        SupportsWriterState<SessionRow, PgTwoPhaseCommitSink.WriterState>, SupportsCommitter<TransactionGid> {
    private static final long serialVersionUID = 1L;
    private final PgTwoPhaseCommitSink sink;

    public FaultInjectingSink(PgTwoPhaseCommitSink sink) {
        this.sink = sink;
    }

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public Writer restoreWriter(WriterInitContext context, Collection<PgTwoPhaseCommitSink.WriterState> recoveredState)
            throws IOException {
        return new Writer(sink.restoreWriter(context, recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<PgTwoPhaseCommitSink.WriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<TransactionGid> createCommitter(CommitterInitContext context) throws IOException {
        Committer<TransactionGid> committer = sink.createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<TransactionGid>> requests)
                    throws IOException, InterruptedException {
                if (!requests.isEmpty()) {
                    Faults.awaitCommitGate();
                    if (Faults.failBeforeCommit.compareAndSet(true, false)) {
                        // Called from notifyCheckpointComplete: the checkpoint is complete, its transaction is
                        // prepared and, until the commit below, not committed.
                        Faults.preparedAtFailBeforeCommit.addAll(Faults.preparedNow());
                        throw new IOException("injected: failure between a checkpoint's completion and its commit");
                    }
                }
                committer.commit(requests);
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<TransactionGid> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    private static final class Writer implements StatefulSinkWriter<SessionRow, PgTwoPhaseCommitSink.WriterState>,
            CommittingSinkWriter<SessionRow, TransactionGid> {
        private final StatefulSinkWriter<SessionRow, PgTwoPhaseCommitSink.WriterState> writer;
        private boolean preparedRecords;

        Writer(StatefulSinkWriter<SessionRow, PgTwoPhaseCommitSink.WriterState> writer) {
            this.writer = writer;
        }

        @Override
        public void write(SessionRow element, Context context) throws IOException, InterruptedException {
            long n = Faults.written.incrementAndGet();
            if (n == Faults.failWriteAt.get() && Faults.writeFailed.compareAndSet(false, true)) {
                throw new IOException("injected: failure after " + n + " records");
            }
            writer.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<TransactionGid> prepareCommit() throws IOException, InterruptedException {
            Collection<TransactionGid> committables =
                    ((CommittingSinkWriter<SessionRow, TransactionGid>) writer).prepareCommit();
            preparedRecords = !committables.isEmpty();
            return committables;
        }

        @Override
        public List<PgTwoPhaseCommitSink.WriterState> snapshotState(long checkpointId) throws IOException {
            List<PgTwoPhaseCommitSink.WriterState> state = writer.snapshotState(checkpointId);
            if (preparedRecords && Faults.failAfterPrepare.compareAndSet(true, false)) {
                // The transaction with this checkpoint's records is prepared and handed to the committer; failing
                // here fails the checkpoint, so it must end up rolled back and its records replayed.
                Faults.preparedAtFailAfterPrepare.addAll(Faults.preparedNow());
                throw new IOException("injected: failure between prepare and the checkpoint's completion");
            }
            if (preparedRecords && Faults.holdAfterPrepare.compareAndSet(true, false)) {
                Faults.preparedAtHold.addAll(Faults.preparedNow());
                try {
                    new java.util.concurrent.CountDownLatch(1).await(); // until the cancellation interrupts
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("cancelled while holding a prepared transaction", e);
                }
            }
            return state;
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}
