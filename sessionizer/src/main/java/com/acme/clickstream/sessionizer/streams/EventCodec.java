package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;

/**
 * An event of an open session in binary:
 * {@code ts:int64 id:str type:str page:nstr amount:decimal utmSource:nstr utmMedium:nstr utmCampaign:nstr}.
 */
final class EventCodec {

    private EventCodec() {
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

    static byte[] toBytes(Event e) {
        Bin.Out out = new Bin.Out(64);
        write(out, e);
        return out.toArray();
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
