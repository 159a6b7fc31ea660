package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions store's values as earlier versions wrote them (the whole event buffer of a user in one value):
 * read only to migrate them to {@link UserHeaderSerde}'s layout at task init, and written only by tests that
 * check that migration. The first byte is 0x01 or, in the oldest versions, the JSON object's {@code '{'}.
 *
 * <pre>
 * value      = 0x01 due:int64 final session-count:varint session*
 * final      = 0x00 | 0x01 start:int64 lastTs:int64 lastEventId:str campaign
 * campaign   = 0x00 | 0x01 source:str medium:nstr campaign:nstr
 * session    = event-count:varint event*
 * event      = ts:int64 id:str type:str page:nstr amount utmSource:nstr utmMedium:nstr utmCampaign:nstr
 * amount     = 0x00 | 0x01 scale:zigzag-varint unscaled-length:varint unscaled-bytes (two's complement)
 * str        = length:varint utf8-bytes;  nstr = 0 (null) | length+1:varint utf8-bytes
 * </pre>
 */
public final class UserStateSerde implements Serde<UserState>, Serializer<UserState>, Deserializer<UserState> {

    static final byte V1 = 0x01;

    private final JsonSerde<UserState> json = new JsonSerde<>(UserState.class);

    @Override
    public byte[] serialize(String topic, UserState state) {
        if (state == null) {
            return null;
        }
        Bin.Out out = new Bin.Out(estimate(state));
        out.b(V1);
        out.i64(state.indexedDue());
        StateCodec.writeFinal(out, state.lastFinal());
        out.varint(state.open().size());
        for (List<Event> session : state.open()) {
            out.varint(session.size());
            for (Event e : session) {
                StateCodec.write(out, e);
            }
        }
        return out.toArray();
    }

    @Override
    public UserState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0 || data[0] != V1) {
            return json.deserialize(topic, data); // written by an earlier version
        }
        try {
            Bin.In in = new Bin.In(data, 1);
            long due = in.i64();
            FinalContext fin = StateCodec.readFinal(in);
            int sessions = in.varint();
            List<List<Event>> open = new ArrayList<>(sessions);
            for (int s = 0; s < sessions; s++) {
                int n = in.varint();
                List<Event> events = new ArrayList<>(n + 1);
                for (int i = 0; i < n; i++) {
                    events.add(StateCodec.read(in));
                }
                open.add(events);
            }
            if (!in.atEnd()) {
                throw new SerializationException("trailing bytes in user state: " + in.remaining());
            }
            return new UserState(open, fin, due);
        } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new SerializationException("truncated user state", e);
        }
    }

    private static int estimate(UserState state) {
        int n = 64;
        for (List<Event> s : state.open()) {
            n += 4 + s.size() * 64;
        }
        return n;
    }

    @Override
    public Serializer<UserState> serializer() {
        return this;
    }

    @Override
    public Deserializer<UserState> deserializer() {
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
