package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.Timestamps;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.time.Instant;

/**
 * The session JSON of the contract written with Jackson's streaming generator: the same bytes as data-binding
 * {@link Session} (field order, nulls, RFC 3339 milliseconds, revenue as a plain decimal), without the per-call
 * bean introspection and formatter machinery, since a session is written for every session that becomes final.
 * One instance per processor, so per task and used by one thread at a time: its buffers are plain fields.
 */
final class SessionJson {

    /**
     * Jackson's default pool of generator buffers is a thread-local: a lookup per session, which in the stream
     * thread's crowded thread-local map cost whole per cent (see the sessionizer README, "Thread-local lookups").
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build();

    /** The contract's field names, encoded once: a generator copies their quoted bytes instead of escaping them. */
    private static final SerializableString SESSION_ID = new SerializedString("session_id");
    private static final SerializableString USER_ID = new SerializedString("user_id");
    private static final SerializableString SESSION_START = new SerializedString("session_start");
    private static final SerializableString SESSION_END = new SerializedString("session_end");
    private static final SerializableString DURATION_MS = new SerializedString("duration_ms");
    private static final SerializableString EVENT_COUNT = new SerializedString("event_count");
    private static final SerializableString PAGE_VIEWS = new SerializedString("page_views");
    private static final SerializableString PURCHASES = new SerializedString("purchases");
    private static final SerializableString REVENUE = new SerializedString("revenue");
    private static final SerializableString LANDING_PAGE = new SerializedString("landing_page");
    private static final SerializableString EXIT_PAGE = new SerializedString("exit_page");
    private static final SerializableString LANDING_CATEGORY = new SerializedString("landing_category");
    private static final SerializableString COUNTRY = new SerializedString("country");
    private static final SerializableString SEGMENT = new SerializedString("segment");
    private static final SerializableString UTM_SOURCE = new SerializedString("utm_source");
    private static final SerializableString UTM_MEDIUM = new SerializedString("utm_medium");
    private static final SerializableString UTM_CAMPAIGN = new SerializedString("utm_campaign");
    private static final SerializableString IS_BOUNCE = new SerializedString("is_bounce");
    private static final SerializableString CLOSED_AT = new SerializedString("closed_at");

    /** Reset per session: only the finished bytes are allocated per session. */
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);
    /** A timestamp's chars, written without a String per timestamp. */
    private final char[] time = new char[Timestamps.FORMATTED_LENGTH];

    byte[] write(Session s) {
        ByteArrayBuilder out = buffer;
        out.reset();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName(SESSION_ID);
            g.writeString(s.sessionId());
            g.writeFieldName(USER_ID);
            g.writeString(s.userId());
            time(g, SESSION_START, s.sessionStart());
            time(g, SESSION_END, s.sessionEnd());
            g.writeFieldName(DURATION_MS);
            g.writeNumber(s.durationMs());
            g.writeFieldName(EVENT_COUNT);
            g.writeNumber(s.eventCount());
            g.writeFieldName(PAGE_VIEWS);
            g.writeNumber(s.pageViews());
            g.writeFieldName(PURCHASES);
            g.writeNumber(s.purchases());
            g.writeFieldName(REVENUE);
            g.writeNumber(s.revenue());
            g.writeFieldName(LANDING_PAGE);
            g.writeString(s.landingPage());
            g.writeFieldName(EXIT_PAGE);
            g.writeString(s.exitPage());
            g.writeFieldName(LANDING_CATEGORY);
            g.writeString(s.landingCategory());
            g.writeFieldName(COUNTRY);
            g.writeString(s.country());
            g.writeFieldName(SEGMENT);
            g.writeString(s.segment());
            g.writeFieldName(UTM_SOURCE);
            g.writeString(s.utmSource());
            g.writeFieldName(UTM_MEDIUM);
            g.writeString(s.utmMedium());
            g.writeFieldName(UTM_CAMPAIGN);
            g.writeString(s.utmCampaign());
            g.writeFieldName(IS_BOUNCE);
            g.writeBoolean(s.isBounce());
            time(g, CLOSED_AT, s.closedAt());
            g.writeEndObject();
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot write session " + s.sessionId(), e);
        }
    }

    private void time(JsonGenerator g, SerializableString name, Instant t) throws IOException {
        if (t == null) {
            g.writeFieldName(name);
            g.writeNull();
            return;
        }
        char[] c = time;
        g.writeFieldName(name);
        if (Timestamps.formatTo(t.toEpochMilli(), c)) {
            g.writeString(c, 0, Timestamps.FORMATTED_LENGTH); // no String per timestamp
        } else {
            g.writeString(Timestamps.format(t.toEpochMilli()));
        }
    }
}
