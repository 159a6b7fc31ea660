package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.Timestamps;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.time.Instant;

/**
 * The session JSON of the contract written with Jackson's streaming generator: the same bytes as data-binding
 * {@link Session} (field order, nulls, RFC 3339 milliseconds, revenue as a plain decimal), without the per-call
 * bean introspection and formatter machinery, since a session is written for every session that becomes final.
 */
final class SessionJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SessionJson() {
    }

    /** One buffer per stream thread, reset per session: only the finished bytes are allocated per session. */
    private static final ThreadLocal<ByteArrayBuilder> BUFFER =
            ThreadLocal.withInitial(() -> new ByteArrayBuilder(1024));
    /** And one for a timestamp's chars, written without a String per timestamp. */
    private static final ThreadLocal<char[]> TIME =
            ThreadLocal.withInitial(() -> new char[Timestamps.FORMATTED_LENGTH]);

    static byte[] write(Session s) {
        ByteArrayBuilder out = BUFFER.get();
        out.reset();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("session_id", s.sessionId());
            g.writeStringField("user_id", s.userId());
            time(g, "session_start", s.sessionStart());
            time(g, "session_end", s.sessionEnd());
            g.writeNumberField("duration_ms", s.durationMs());
            g.writeNumberField("event_count", s.eventCount());
            g.writeNumberField("page_views", s.pageViews());
            g.writeNumberField("purchases", s.purchases());
            g.writeFieldName("revenue");
            g.writeNumber(s.revenue());
            g.writeStringField("landing_page", s.landingPage());
            g.writeStringField("exit_page", s.exitPage());
            g.writeStringField("landing_category", s.landingCategory());
            g.writeStringField("country", s.country());
            g.writeStringField("segment", s.segment());
            g.writeStringField("utm_source", s.utmSource());
            g.writeStringField("utm_medium", s.utmMedium());
            g.writeStringField("utm_campaign", s.utmCampaign());
            g.writeBooleanField("is_bounce", s.isBounce());
            time(g, "closed_at", s.closedAt());
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot write session " + s.sessionId(), e);
        }
    }

    private static void time(JsonGenerator g, String name, Instant t) throws IOException {
        if (t == null) {
            g.writeNullField(name);
            return;
        }
        char[] c = TIME.get();
        g.writeFieldName(name);
        if (Timestamps.formatTo(t.toEpochMilli(), c)) {
            g.writeString(c, 0, Timestamps.FORMATTED_LENGTH); // no String per timestamp
        } else {
            g.writeString(Timestamps.format(t.toEpochMilli()));
        }
    }
}
