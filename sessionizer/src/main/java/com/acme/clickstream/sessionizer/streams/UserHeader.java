package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.SessionSummary;

import java.util.ArrayList;
import java.util.List;

/**
 * Value of the sessions store, per user: the running summary of each open session (in session order), the context
 * of the last final session (for lateness) and the next session sequence number. A session's events are kept for
 * the exact re-split an out-of-order event may need: its latest events (fewer than {@link #CHUNK}) inline in the
 * header, the earlier ones in the session-events store in chunks of {@link #CHUNK} under (user, session seq, chunk
 * number), each chunk written once and deleted once. The header stays small however long a session grows, and a
 * session of a few events, as most are, costs no session-events record at all.
 */
final class UserHeader {

    /** Events per session-events entry: the inline tail is written out as one entry when it reaches this size. */
    static final int CHUNK = 16;
    /** {@link Open#chunks} of a session stored by an earlier version: one session-events entry per event. */
    static final int SINGLE_EVENTS = -1;

    /**
     * An open session: {@code chunks} session-events entries (user, seq, 0 .. chunks - 1) of {@link #CHUNK} events
     * each, then {@code tail} inline; or, from an earlier version ({@code chunks == SINGLE_EVENTS}), one entry per
     * event (user, seq, 0 .. summary.count() - 1) and no tail.
     */
    static final class Open {
        final long seq;
        final SessionSummary summary;
        int chunks;
        /**
         * The inline events, as {@link StateCodec#write} writes them, {@code tailCount} of them. Kept encoded, not as
         * objects: a heavy user's header is written at every commit with up to {@code CHUNK - 1} inline events, and
         * encoding them again each time was most of the header write; and an event object kept until its session
         * is final outlives the young generation, which the collector then copies. Each event is encoded once; a
         * write copies the bytes; only a re-split reads them back.
         */
        private final Bin.Out tail;
        private int tailCount;

        Open(long seq, SessionSummary summary, int chunks, List<Event> tail) {
            this.seq = seq;
            this.summary = summary;
            this.chunks = chunks;
            this.tail = new Bin.Out(96 * tail.size());
            for (Event e : tail) {
                appendToTail(e);
            }
        }

        /** As read from a stored header: {@code count} inline events encoded in {@code data[from, to)}. */
        Open(long seq, SessionSummary summary, int chunks, int count, byte[] data, int from, int to) {
            this.seq = seq;
            this.summary = summary;
            this.chunks = chunks;
            this.tail = new Bin.Out(to - from);
            this.tail.bytes(data, from, to - from);
            this.tailCount = count;
        }

        boolean singleEvents() {
            return chunks == SINGLE_EVENTS;
        }

        /** Session-events entries of this session. */
        int entries() {
            return singleEvents() ? summary.count() : chunks;
        }

        /** The inline events, decoded: a new list, in the order they were added. */
        List<Event> tail() {
            List<Event> events = new ArrayList<>(tailCount);
            Bin.In in = new Bin.In(tail.toArray(), 0);
            for (int i = 0; i < tailCount; i++) {
                events.add(StateCodec.read(in));
            }
            return events;
        }

        int tailSize() {
            return tailCount;
        }

        void appendToTail(Event e) {
            StateCodec.write(tail, e);
            tailCount++;
        }

        /** Replaces the inline events; the buffer is kept for the new ones. */
        void replaceTail(List<Event> events) {
            tail.reset();
            tailCount = 0;
            for (Event e : events) {
                appendToTail(e);
            }
        }

        /** The tail's count and events, as {@link UserHeaderSerde} stores them. */
        void writeTail(Bin.Out out) {
            out.varint(tailCount);
            tail.writeTo(out);
        }

        /** The tail as one session-events entry, the same bytes as {@link StateCodec#chunkToBytes} of it. */
        byte[] tailAsChunk() {
            Bin.Out out = new Bin.Out(5 + tail.size());
            writeTail(out);
            return out.toArray();
        }
    }

    FinalContext lastFinal;
    long nextSeq;
    final List<Open> open;
    /** Set only on a value of an earlier version (whole event buffers): migrated to session-events at task init. */
    List<List<Event>> legacyEvents;
    /** {@link #lastFinal} as {@link StateCodec#writeFinal} writes it, while lastFinal is still that object. */
    private FinalContext encodedFinalOf;
    private byte[] encodedFinal;

    UserHeader(FinalContext lastFinal, long nextSeq, List<Open> open) {
        this.lastFinal = lastFinal;
        this.nextSeq = nextSeq;
        this.open = open;
    }

    /** The final context as {@link UserHeaderSerde} stores it, encoded once per final context (it rarely changes). */
    void writeFinal(Bin.Out out) {
        if (lastFinal != null && lastFinal == encodedFinalOf) {
            out.bytes(encodedFinal);
            return;
        }
        int from = out.size();
        StateCodec.writeFinal(out, lastFinal);
        if (lastFinal != null) { // none is one byte: nothing to keep
            encodedFinal = out.toArray(from);
            encodedFinalOf = lastFinal;
        }
    }

    /** As read from a stored header: {@code fin} was encoded in {@code data[from, to)}. */
    void finalReadFrom(FinalContext fin, byte[] data, int from, int to) {
        lastFinal = fin;
        if (fin != null) {
            encodedFinal = java.util.Arrays.copyOfRange(data, from, to);
            encodedFinalOf = fin;
        }
    }

    static UserHeader empty() {
        return new UserHeader(null, 0, new ArrayList<>(1));
    }

    Open first() {
        return open.get(0);
    }

    Open last() {
        return open.get(open.size() - 1);
    }

    /**
     * This header as of its partition's stream time {@code t}, by which every session final at {@code t} has been
     * emitted: those sessions leave the open ones and the last of them becomes the final context. The processor
     * emits a session without writing its header again (that write was about half of the header records), so a
     * stored header can still list sessions that the stream time committed with it has made final: whoever reads a
     * stored header settles it first. Returns the header.
     */
    UserHeader settledAt(long t, SessionRules rules) {
        while (t != SessionizerMetrics.NO_STREAM_TIME && !open.isEmpty()
                && rules.finalAt(first().summary.lastTs()) <= t) {
            lastFinal = open.remove(0).summary.finalContext();
        }
        return this;
    }

    /** Events of the open sessions in all (stored and inline). */
    long openEvents() {
        long n = 0;
        for (Open o : open) {
            n += o.summary.count();
        }
        return n;
    }
}
