package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.SessionSummarizer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;

/** Interactive query: a user's open sessions on this instance, computed from the session summaries in the local sessions store. */
public final class OpenSessionsQuery {

    private OpenSessionsQuery() {
    }

    /**
     * @return the user's open sessions in order ({@code closed_at} null), or [] when the user has none on this
     * instance. Throws {@link InvalidStateStoreException} while the store is not queryable (e.g. rebalancing).
     */
    /** @param partition the user's partition, from the key query metadata the caller found its owner by */
    public static List<Session> openSessions(KafkaStreams streams, String userId, int partition, SessionRules rules) {
        ReadOnlyKeyValueStore<String, UserHeader> store = streams.store(
                StoreQueryParameters.fromNameAndType(SessionizerTopology.SESSIONS_STORE,
                        QueryableStoreTypes.<String, UserHeader>keyValueStore()));
        UserHeader state = store.get(userId);
        if (state == null || state.open.isEmpty()) {
            return List.of();
        }
        Enrichment enrichment = new Enrichment(lookup(streams, SessionizerTopology.PROFILES_STORE),
                lookup(streams, SessionizerTopology.PAGES_STORE), JsonSerde.newMapper());
        return openSessions(userId, state, streamTime(streams, partition), rules, enrichment);
    }

    /** @param streamTime the stream time stored with the header (sessions final at it are emitted) */
    static List<Session> openSessions(String userId, UserHeader state, long streamTime, SessionRules rules,
            Enrichment enrichment) {
        state.settledAt(streamTime, rules);
        List<Session> result = new ArrayList<>(state.open.size());
        for (UserHeader.Open session : state.open) {
            result.add(session.summary.toSession(userId, enrichment.profile(userId), enrichment::page, null));
        }
        return result;
    }

    /** The stream time stored with the user's header: sessions final at it are emitted, though still listed. */
    private static long streamTime(KafkaStreams streams, int partition) {
        ReadOnlyKeyValueStore<String, byte[]> times = streams.store(
                StoreQueryParameters.fromNameAndType(SessionizerTopology.STREAM_TIME_STORE,
                        QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(partition));
        return SessionizeProcessor.decodeTime(times.get(SessionizeProcessor.STREAM_TIME_KEY));
    }

    private static ReadOnlyKeyValueStore<String, byte[]> lookup(KafkaStreams streams, String name) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name,
                    QueryableStoreTypes.<String, byte[]>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            return null; // enrichment is best effort for open sessions
        }
    }
}
