package com.acme.clickstream.flink.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A sink with writer state and committer (the exactly-once sink, or flink-connector-jdbc's at-least-once
 * {@code JdbcSink}, which has both) that records, in this JVM, when how many rows became durable: for a sink with
 * committables when their commit returns, for one without (the plain sink flushes before every checkpoint) at the
 * checkpoint's barrier. The benchmark runs its jobs on a local mini-cluster in the same JVM, one at a time.
 *
 * <p>{@link #steadyRowsPerSecond()} is the rate between the first and the last such point before the end of the
 * input: start-up, the first checkpoint and the last commit, which waits for a final checkpoint, are not counted.
 */
final class MeasuredSink<S, C> implements Sink<SessionRow>, SupportsWriterState<SessionRow, S>, SupportsCommitter<C> {
    private static final long serialVersionUID = 1L;
    static final AtomicLong FIRST_WRITE = new AtomicLong(Long.MAX_VALUE);
    static final AtomicLong LAST_DONE = new AtomicLong(Long.MIN_VALUE);
    static final AtomicLong END_OF_INPUT = new AtomicLong(Long.MAX_VALUE);
    /** (nanoTime, rows made durable at that moment). */
    static final List<long[]> DURABLE = new CopyOnWriteArrayList<>();
    private static final Map<Object, Long> PENDING = new ConcurrentHashMap<>();

    private final Sink<SessionRow> sink;

    /** @param sink a sink that implements {@code SupportsWriterState<SessionRow, S>} and {@code SupportsCommitter<C>} */
    MeasuredSink(Sink<SessionRow> sink) {
        this.sink = sink;
    }

    static void reset() {
        FIRST_WRITE.set(Long.MAX_VALUE);
        LAST_DONE.set(Long.MIN_VALUE);
        END_OF_INPUT.set(Long.MAX_VALUE);
        DURABLE.clear();
        PENDING.clear();
    }

    /** Nanoseconds from the first record to the last durable row. */
    static long windowNanos() {
        return LAST_DONE.get() - FIRST_WRITE.get();
    }

    /** Rows per second between the first and the last durable point before the end of the input; NaN if < 2. */
    static double steadyRowsPerSecond() {
        List<long[]> points = new ArrayList<>(DURABLE);
        points.removeIf(p -> p[0] >= END_OF_INPUT.get());
        points.sort(Comparator.comparingLong(p -> p[0]));
        if (points.size() < 2 || points.get(points.size() - 1)[0] == points.get(0)[0]) {
            return Double.NaN;
        }
        long rows = 0;
        for (int i = 1; i < points.size(); i++) {
            rows += points.get(i)[1];
        }
        return rows * 1e9 / (points.get(points.size() - 1)[0] - points.get(0)[0]);
    }

    private static void durable(long rows) {
        long now = System.nanoTime();
        DURABLE.add(new long[] {now, rows});
        LAST_DONE.accumulateAndGet(now, Math::max);
    }

    @SuppressWarnings("unchecked")
    private SupportsWriterState<SessionRow, S> stateful() {
        return (SupportsWriterState<SessionRow, S>) sink;
    }

    @SuppressWarnings("unchecked")
    private SupportsCommitter<C> committing() {
        return (SupportsCommitter<C>) sink;
    }

    @Override
    public Writer<S, C> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public Writer<S, C> restoreWriter(WriterInitContext context, Collection<S> recoveredState) throws IOException {
        return new Writer<>(stateful().restoreWriter(context, recoveredState));
    }

    @Override
    public SimpleVersionedSerializer<S> getWriterStateSerializer() {
        return stateful().getWriterStateSerializer();
    }

    @Override
    public Committer<C> createCommitter(CommitterInitContext context) throws IOException {
        Committer<C> committer = committing().createCommitter(context);
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<C>> requests) throws IOException, InterruptedException {
                committer.commit(requests);
                for (CommitRequest<C> request : requests) {
                    Long rows = PENDING.remove(request.getCommittable());
                    if (rows != null) {
                        durable(rows);
                    }
                }
            }

            @Override
            public void close() throws Exception {
                committer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<C> getCommittableSerializer() {
        return committing().getCommittableSerializer();
    }

    private static final class Writer<S, C> implements StatefulSinkWriter<SessionRow, S>,
            CommittingSinkWriter<SessionRow, C> {
        private final StatefulSinkWriter<SessionRow, S> writer;
        private boolean first = true;
        private long rowsSincePrepare;

        Writer(StatefulSinkWriter<SessionRow, S> writer) {
            this.writer = writer;
        }

        @Override
        public void write(SessionRow element, Context context) throws IOException, InterruptedException {
            if (first) {
                FIRST_WRITE.accumulateAndGet(System.nanoTime(), Math::min);
                first = false;
            }
            writer.write(element, context);
            rowsSincePrepare++;
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            if (endOfInput) {
                END_OF_INPUT.accumulateAndGet(System.nanoTime(), Math::min);
            }
            writer.flush(endOfInput);
            if (endOfInput) {
                LAST_DONE.accumulateAndGet(System.nanoTime(), Math::max);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<C> prepareCommit() throws IOException, InterruptedException {
            Collection<C> committables = ((CommittingSinkWriter<SessionRow, C>) writer).prepareCommit();
            if (committables.isEmpty()) {
                // No second phase: flushed before the barrier, durable now.
                if (rowsSincePrepare > 0) {
                    durable(rowsSincePrepare);
                }
            } else {
                PENDING.put(committables.iterator().next(), rowsSincePrepare);
            }
            rowsSincePrepare = 0;
            return committables;
        }

        @Override
        public List<S> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            writer.close();
        }
    }
}
