package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Campaign;
import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compact binary serde of the sessions store's values, read and written for every event (JSON cost most of the
 * processing time). The first byte is a format version that a JSON object cannot start with ({@code '{'}):
 * values written as JSON by earlier versions (in RocksDB or the changelog) are still read, and rewritten in this
 * format the next time the user changes.
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
        Out out = new Out(estimate(state));
        out.b(V1);
        out.i64(state.indexedDue());
        FinalContext f = state.lastFinal();
        if (f == null) {
            out.b(0);
        } else {
            out.b(1);
            out.i64(f.start());
            out.i64(f.lastTs());
            out.str(f.lastEventId());
            Campaign c = f.campaign();
            if (c == null) {
                out.b(0);
            } else {
                out.b(1);
                out.str(c.source());
                out.nstr(c.medium());
                out.nstr(c.campaign());
            }
        }
        out.varint(state.open().size());
        for (List<Event> session : state.open()) {
            out.varint(session.size());
            for (Event e : session) {
                out.i64(e.ts());
                out.str(e.eventId());
                out.str(e.type());
                out.nstr(e.pagePath());
                BigDecimal a = e.amount();
                if (a == null) {
                    out.b(0);
                } else {
                    out.b(1);
                    out.varint((a.scale() << 1) ^ (a.scale() >> 31));
                    byte[] unscaled = a.unscaledValue().toByteArray();
                    out.varint(unscaled.length);
                    out.bytes(unscaled);
                }
                out.nstr(e.utmSource());
                out.nstr(e.utmMedium());
                out.nstr(e.utmCampaign());
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
            In in = new In(data, 1);
            long due = in.i64();
            FinalContext fin = null;
            if (in.b() == 1) {
                long start = in.i64();
                long lastTs = in.i64();
                String lastId = in.str();
                Campaign c = in.b() == 1 ? new Campaign(in.str(), in.nstr(), in.nstr()) : null;
                fin = new FinalContext(start, lastTs, lastId, c);
            }
            int sessions = in.varint();
            List<List<Event>> open = new ArrayList<>(sessions);
            for (int s = 0; s < sessions; s++) {
                int n = in.varint();
                List<Event> events = new ArrayList<>(n + 1);
                for (int i = 0; i < n; i++) {
                    long ts = in.i64();
                    String id = in.str();
                    String type = in.str();
                    String page = in.nstr();
                    BigDecimal amount = null;
                    if (in.b() == 1) {
                        int z = in.varint();
                        int scale = (z >>> 1) ^ -(z & 1);
                        byte[] unscaled = in.bytes(in.varint());
                        amount = new BigDecimal(new BigInteger(unscaled), scale);
                    }
                    events.add(new Event(ts, id, type, page, amount, in.nstr(), in.nstr(), in.nstr()));
                }
                open.add(events);
            }
            if (in.pos != data.length) {
                throw new SerializationException("trailing bytes in user state: " + (data.length - in.pos));
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

    private static final class Out {
        private byte[] buf;
        private int pos;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(int more) {
            if (pos + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
            }
        }

        void b(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void varint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            bytes(b);
        }

        void nstr(String s) {
            if (s == null) {
                varint(0);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                varint(b.length + 1);
                bytes(b);
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, pos);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        int b() {
            return buf[pos++];
        }

        long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = buf[pos++];
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new SerializationException("malformed varint in user state");
        }

        byte[] bytes(int n) {
            if (n < 0 || pos + n > buf.length) {
                throw new SerializationException("truncated user state");
            }
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        String str() {
            int n = varint();
            if (n < 0 || pos + n > buf.length) {
                throw new SerializationException("truncated user state");
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        String nstr() {
            int n = varint();
            if (n == 0) {
                return null;
            }
            n -= 1;
            if (n < 0 || pos + n > buf.length) {
                throw new SerializationException("truncated user state");
            }
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
