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
        List<Event> tail;

        Open(long seq, SessionSummary summary, int chunks, List<Event> tail) {
            this.seq = seq;
            this.summary = summary;
            this.chunks = chunks;
            this.tail = tail;
        }

        boolean singleEvents() {
            return chunks == SINGLE_EVENTS;
        }

        /** Session-events entries of this session. */
        int entries() {
            return singleEvents() ? summary.count() : chunks;
        }
    }

    FinalContext lastFinal;
    long nextSeq;
    final List<Open> open;
    /** Set only on a value of an earlier version (whole event buffers): migrated to session-events at task init. */
    List<List<Event>> legacyEvents;

    UserHeader(FinalContext lastFinal, long nextSeq, List<Open> open) {
        this.lastFinal = lastFinal;
        this.nextSeq = nextSeq;
        this.open = open;
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
