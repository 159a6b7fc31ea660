package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.SessionSummary;

import java.util.ArrayList;
import java.util.List;

/**
 * Value of the sessions store, per user: the running summary of each open session (in session order), the context
 * of the last final session (for lateness) and the next session sequence number. The events themselves are in the
 * session-events store under (user, session seq, n), written once each and read back only when an out-of-order
 * event may move session boundaries: the header stays small however long a session grows.
 */
final class UserHeader {

    /** An open session: its events are session-events (user, seq, 0 .. summary.count() - 1). */
    static final class Open {
        final long seq;
        final SessionSummary summary;

        Open(long seq, SessionSummary summary) {
            this.seq = seq;
            this.summary = summary;
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

    /** Events stored for the open sessions in all. */
    long storedEvents() {
        long n = 0;
        for (Open o : open) {
            n += o.summary.count();
        }
        return n;
    }
}
