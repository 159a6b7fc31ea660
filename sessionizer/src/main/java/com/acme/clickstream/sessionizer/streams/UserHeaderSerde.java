package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.SessionSummary;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary serde of {@link UserHeader}, written once per commit for every user with news, so it is small and flat:
 * <pre>
 * value    = 0x03 final next-seq:int64 open-count:varint open*
 * open     = seq:int64 0x00 tail-count:varint event*          (all events inline: the summary is folded from them)
 *          | seq:int64 chunks:varint summary tail-count:varint event*
 * event    = see StateCodec
 * final    = 0x00 | 0x01 start:int64 lastTs:int64 lastEventId:str campaign
 * campaign = 0x00 | 0x01 source:str medium:nstr campaign:nstr
 * summary  = see SessionSummary#writeTo
 * </pre>
 * Values of earlier versions are read too: 0x02 (as 0x03 without chunks and tails: one session-events entry per event,
 * {@link UserHeader#SINGLE_EVENTS}, rewritten in chunks when the session is next touched), and 0x01 binary or JSON
 * (a user's whole event buffer, {@link UserStateSerde}), read as a header carrying those events in
 * {@link UserHeader#legacyEvents}, which task init moves to the events store.
 */
final class UserHeaderSerde implements Serde<UserHeader>, Serializer<UserHeader>, Deserializer<UserHeader> {

    static final byte V2 = 0x02;
    static final byte V3 = 0x03;

    private final UserStateSerde legacy = new UserStateSerde();
    /**
     * Reused: every changed header is written once per commit, and only the finished value is allocated. A plain
     * field, as each task's store has its own serde ({@link HeaderStore#builder}): serialize runs only on the
     * task's stream thread (interactive queries only deserialize).
     */
    private final Bin.Out buffer = new Bin.Out(1024);

    @Override
    public byte[] serialize(String topic, UserHeader h) {
        if (h == null) {
            return null;
        }
        if (h.legacyEvents != null) {
            throw new IllegalStateException("a header read from an earlier version must be migrated first");
        }
        for (UserHeader.Open o : h.open) {
            if (o.singleEvents()) {
                throw new IllegalStateException("a session stored by an earlier version must be rewritten first");
            }
        }
        Bin.Out out = buffer;
        out.reset();
        out.b(V3);
        h.writeFinal(out);
        out.i64(h.nextSeq);
        out.varint(h.open.size());
        for (UserHeader.Open o : h.open) {
            out.i64(o.seq);
            out.varint(o.chunks);
            // Most sessions are a few events, all inline: their summary is cheaper to fold again than to store.
            if (o.chunks > 0) {
                o.summary.writeTo(out);
            }
            o.writeTail(out);
        }
        return out.toArray();
    }

    @Override
    public UserHeader deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || (data[0] != V3 && data[0] != V2)) {
            return fromLegacy(legacy.deserialize(topic, data));
        }
        boolean v3 = data[0] == V3;
        Bin.In in = new Bin.In(data, 1);
        FinalContext fin = StateCodec.readFinal(in);
        int finalEnd = in.position();
        long nextSeq = in.i64();
        int n = in.varint();
        List<UserHeader.Open> open = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            long seq = in.i64();
            if (!v3) {
                open.add(new UserHeader.Open(seq, SessionSummary.readFrom(in), UserHeader.SINGLE_EVENTS, List.of()));
                continue;
            }
            int chunks = in.varint();
            SessionSummary summary = chunks > 0 ? SessionSummary.readFrom(in) : null;
            int t = in.varint();
            int tailFrom = in.position();
            if (summary == null) {
                // Folded from the inline events, which are read here only for that.
                List<Event> tail = new ArrayList<>(Math.min(t, UserHeader.CHUNK));
                for (int k = 0; k < t; k++) {
                    tail.add(StateCodec.read(in));
                }
                if (tail.isEmpty()) {
                    throw new SerializationException("an open session without events");
                }
                summary = SessionSummary.of(tail);
            } else {
                for (int k = 0; k < t; k++) {
                    StateCodec.skip(in);
                }
            }
            open.add(new UserHeader.Open(seq, summary, chunks, t, data, tailFrom, in.position()));
        }
        if (!in.atEnd()) {
            throw new SerializationException("trailing bytes in user header: " + in.remaining());
        }
        UserHeader h = new UserHeader(null, nextSeq, open);
        h.finalReadFrom(fin, data, 1, finalEnd);
        return h;
    }

    private static UserHeader fromLegacy(UserState state) {
        List<UserHeader.Open> open = new ArrayList<>(state.open().size());
        List<List<Event>> events = new ArrayList<>(state.open().size());
        long seq = 0;
        for (List<Event> session : state.open()) {
            open.add(new UserHeader.Open(seq++, SessionSummary.of(session), 0, new ArrayList<>()));
            events.add(session);
        }
        UserHeader h = new UserHeader(state.lastFinal(), seq, open);
        h.legacyEvents = events;
        return h;
    }

    @Override
    public Serializer<UserHeader> serializer() {
        return this;
    }

    @Override
    public Deserializer<UserHeader> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }
}
