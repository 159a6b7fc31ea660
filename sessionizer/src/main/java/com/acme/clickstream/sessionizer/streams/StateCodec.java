package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Campaign;
import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;

/**
 * The binary parts of the stores' values. An event of an open session:
 * {@code ts:int64 id:str type:str page:nstr amount:decimal utmSource:nstr utmMedium:nstr utmCampaign:nstr};
 * a chunk of them (a session-events entry): {@code count:varint event*};
 * the context of a user's last final session:
 * {@code 0x00 | 0x01 start:int64 lastTs:int64 lastEventId:str (0x00 | 0x01 source:str medium:nstr campaign:nstr)}.
 */
final class StateCodec {

    private StateCodec() {
    }

    static void writeFinal(Bin.Out out, FinalContext f) {
        if (f == null) {
            out.b(0);
            return;
        }
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

    static FinalContext readFinal(Bin.In in) {
        if (in.b() != 1) {
            return null;
        }
        long start = in.i64();
        long lastTs = in.i64();
        String lastId = in.str();
        Campaign c = in.b() == 1 ? new Campaign(in.str(), in.nstr(), in.nstr()) : null;
        return new FinalContext(start, lastTs, lastId, c);
    }

    static void write(Bin.Out out, Event e) {
        out.i64(e.ts());
        out.str(e.eventId());
        out.str(e.type());
        out.nstr(e.pagePath());
        out.decimal(e.amount());
        out.nstr(e.utmSource());
        out.nstr(e.utmMedium());
        out.nstr(e.utmCampaign());
    }

    static Event read(Bin.In in) {
        return new Event(in.i64(), in.str(), in.str(), in.nstr(), in.decimal(), in.nstr(), in.nstr(), in.nstr());
    }

    /** Moves past an event as {@link #read} would read it, without building it. */
    static void skip(Bin.In in) {
        in.skip(8);
        in.skipStr();
        in.skipStr();
        in.skipNstr();
        in.skipDecimal();
        in.skipNstr();
        in.skipNstr();
        in.skipNstr();
    }

    static byte[] toBytes(Event e) {
        Bin.Out out = new Bin.Out(64);
        write(out, e);
        return out.toArray();
    }

    static byte[] chunkToBytes(java.util.List<Event> events) {
        Bin.Out out = new Bin.Out(4 + 56 * events.size());
        out.varint(events.size());
        for (Event e : events) {
            write(out, e);
        }
        return out.toArray();
    }

    /** Adds the events of a chunk to {@code into}. */
    static void chunkFromBytes(byte[] bytes, java.util.List<Event> into) {
        Bin.In in = new Bin.In(bytes, 0);
        int n = in.varint();
        for (int i = 0; i < n; i++) {
            into.add(read(in));
        }
        if (!in.atEnd()) {
            throw new org.apache.kafka.common.errors.SerializationException("trailing bytes in event chunk");
        }
    }

    static Event fromBytes(byte[] bytes) {
        Bin.In in = new Bin.In(bytes, 0);
        Event e = read(in);
        if (!in.atEnd()) {
            throw new org.apache.kafka.common.errors.SerializationException("trailing bytes in event");
        }
        return e;
    }
}
