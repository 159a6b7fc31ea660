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
 * Binary serde of {@link UserHeader}, written on every accepted event, so it is small and flat:
 * <pre>
 * value    = 0x02 final next-seq:int64 open-count:varint (seq:int64 summary)*
 * final    = 0x00 | 0x01 start:int64 lastTs:int64 lastEventId:str campaign
 * campaign = 0x00 | 0x01 source:str medium:nstr campaign:nstr
 * summary  = see SessionSummary#writeTo
 * </pre>
 * Values of earlier versions (0x01 binary or JSON: a user's whole event buffer, {@link UserStateSerde}) are read
 * as a header carrying those events in {@link UserHeader#legacyEvents}, which task init moves to the events store.
 */
final class UserHeaderSerde implements Serde<UserHeader>, Serializer<UserHeader>, Deserializer<UserHeader> {

    static final byte V2 = 0x02;

    private final UserStateSerde legacy = new UserStateSerde();

    @Override
    public byte[] serialize(String topic, UserHeader h) {
        if (h == null) {
            return null;
        }
        if (h.legacyEvents != null) {
            throw new IllegalStateException("a header read from an earlier version must be migrated first");
        }
        Bin.Out out = new Bin.Out(48 + 96 * h.open.size());
        out.b(V2);
        StateCodec.writeFinal(out, h.lastFinal);
        out.i64(h.nextSeq);
        out.varint(h.open.size());
        for (UserHeader.Open o : h.open) {
            out.i64(o.seq);
            o.summary.writeTo(out);
        }
        return out.toArray();
    }

    @Override
    public UserHeader deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || data[0] != V2) {
            return fromLegacy(legacy.deserialize(topic, data));
        }
        Bin.In in = new Bin.In(data, 1);
        FinalContext fin = StateCodec.readFinal(in);
        long nextSeq = in.i64();
        int n = in.varint();
        List<UserHeader.Open> open = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            long seq = in.i64();
            open.add(new UserHeader.Open(seq, SessionSummary.readFrom(in)));
        }
        if (!in.atEnd()) {
            throw new SerializationException("trailing bytes in user header: " + in.remaining());
        }
        return new UserHeader(fin, nextSeq, open);
    }

    private static UserHeader fromLegacy(UserState state) {
        List<UserHeader.Open> open = new ArrayList<>(state.open().size());
        List<List<Event>> events = new ArrayList<>(state.open().size());
        long seq = 0;
        for (List<Event> session : state.open()) {
            open.add(new UserHeader.Open(seq++, SessionSummary.of(session)));
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
