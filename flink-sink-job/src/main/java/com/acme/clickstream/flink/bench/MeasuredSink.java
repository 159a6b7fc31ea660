package com.acme.clickstream.flink.bench;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.core.datastream.sink.committer.JdbcCommitable;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A JDBC sink (plain or XA) that records, in this JVM, when its first record arrived and when its last rows were
 * made durable: the end of the final flush for the plain sink, the end of the last commit for the XA sink. The
 * benchmark runs its jobs on a local mini-cluster in the same JVM, one at a time.
 */
final class MeasuredSink implements Sink<SessionRow>, SupportsWriterState<SessionRow, JdbcWriterState>,
        SupportsCommitter<JdbcCommitable> {
    private static final long serialVersionUID = 1L;
    static final AtomicLong FIRST_WRITE = new AtomicLong(Long.MAX_VALUE);
    static final AtomicLong LAST_DONE = new AtomicLong(Long.MIN_VALUE);

    private final Sink<SessionRow> sink;

    /** @param sink a flink-connector-jdbc {@code JdbcSink} or an {@code XaSessionSink} */
    MeasuredSink(Sink<SessionRow> sink) {
        this.sink = sink;
    }

    static void reset() {
        FIRST_WRITE.set(Long.MAX_VALUE);
        LAST_DONE.set(Long.MIN_VALUE);
    }

    /** Nanoseconds from the first record to the last durable row. */
    static long windowNanos() {
        return LAST_DONE.get() - FIRST_WRITE.get();
    }

    @SuppressWarnings("unchecked")
    private SupportsWriterState<SessionRow, JdbcWriterState> stateful() {
        return (SupportsWriterState<SessionRow, JdbcWriterState>) sink;
    }

    @SuppressWarnings("unchecked")
    private SupportsCommitter<JdbcCommitable> committing() {
        return (SupportsCommitter<JdbcCommitable>) sink;
    }

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    @SuppressWarnings("unchecked")
    public Writer restoreWriter(WriterInitContext context, Collection<JdbcWriterState> recoveredState)
            throws IOException {
        return new Writer((StatefulSinkWriter<SessionRow, JdbcWriterState>) stateful().restoreWriter(context,
                recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<JdbcWriterState> getWriterStateSerializer() {
        return stateful().getWriterStateSerializer();
    }

    @Override
    public Committer<JdbcCommitable> createCommitter(CommitterInitContext context) throws IOException {
        Committer<JdbcCommitable> committer = committing().createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<JdbcCommitable>> requests)
                    throws IOException, InterruptedException {
                committer.commit(requests);
                if (!requests.isEmpty()) {
                    LAST_DONE.accumulateAndGet(System.nanoTime(), Math::max);
                }
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<JdbcCommitable> getCommittableSerializer() {
        return committing().getCommittableSerializer();
    }

    private static final class Writer implements StatefulSinkWriter<SessionRow, JdbcWriterState>,
            CommittingSinkWriter<SessionRow, JdbcCommitable> {
        private final StatefulSinkWriter<SessionRow, JdbcWriterState> writer;
        private boolean first = true;

        Writer(StatefulSinkWriter<SessionRow, JdbcWriterState> writer) {
            this.writer = writer;
        }

        @Override
        public void write(SessionRow element, Context context) throws IOException, InterruptedException {
            if (first) {
                FIRST_WRITE.accumulateAndGet(System.nanoTime(), Math::min);
                first = false;
            }
            writer.write(element, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
            if (endOfInput) {
                LAST_DONE.accumulateAndGet(System.nanoTime(), Math::max);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<JdbcCommitable> prepareCommit() throws IOException, InterruptedException {
            return ((CommittingSinkWriter<SessionRow, JdbcCommitable>) writer).prepareCommit();
        }

        @Override
        public List<JdbcWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}
