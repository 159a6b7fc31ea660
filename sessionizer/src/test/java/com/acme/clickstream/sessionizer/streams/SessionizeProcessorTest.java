package com.acme.clickstream.sessionizer.streams;

import static com.acme.clickstream.sessionizer.streams.Fixture.MIN;
import static com.acme.clickstream.sessionizer.streams.Fixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.acme.clickstream.sessionizer.model.Event;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The processor on its own (in-memory stores, a mock context with a fixed wall clock): the life cycle Kafka Streams
 * drives it through (init again after a task is revived, close), the punctuation schedule, and the cost of a long
 * session, counted in serialized bytes.
 */
class SessionizeProcessorTest {

    static final long WALL0 = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();

    MockProcessorContext<String, Output> context;
    KeyValueStore<String, UserHeader> headers;
    /** The bytes store under the sessions store, to plant values of an earlier version. */
    KeyValueStore<Bytes, byte[]> rawHeaders;
    KeyValueStore<Bytes, byte[]> events;
    DedupStore dedup;
    KeyValueStore<Bytes, Long> legacyDedup;
    KeyValueStore<String, byte[]> streamTimes;
    SimpleMeterRegistry registry;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(WALL0);
        registry = new SimpleMeterRegistry();
        streamTimes = store(SessionizerTopology.STREAM_TIME_STORE, Serdes.String(), Serdes.ByteArray());
        dedup = dedupStore();
        context.addStateStore(dedup);
        legacyDedup = store(SessionizerTopology.LEGACY_DEDUP_STORE, Serdes.Bytes(), Serdes.Long());
        rawHeaders = Stores.inMemoryKeyValueStore(SessionizerTopology.SESSIONS_STORE).get();
        headers = HeaderStore.builder(new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return SessionizerTopology.SESSIONS_STORE;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return rawHeaders;
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        }).withLoggingDisabled().build();
        headers.init(context.getStateStoreContext(), headers);
        context.addStateStore(headers);
        events = store(SessionizerTopology.SESSION_EVENTS_STORE, Serdes.Bytes(), Serdes.ByteArray());
        store(SessionizerTopology.PROFILES_STORE, Serdes.String(), Serdes.ByteArray());
        store(SessionizerTopology.PAGES_STORE, Serdes.String(), Serdes.ByteArray());
    }

    private <K, V> KeyValueStore<K, V> store(String name, Serde<K> k, Serde<V> v) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), k, v)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private SessionizeProcessor processor() {
        return new SessionizeProcessor(Fixture.RULES, new SessionizerMetrics(registry), "clickstream.events",
                InputLag.UNKNOWN);
    }

    private static Record<String, Validated> event(String user, String id, long ts) {
        Event e = new Event(ts, id, "page_view", "/p/" + id, null, null, null, null);
        byte[] raw = ("{\"event_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
        return new Record<>(user, new Validated.ValidEvent(user, e, raw, true), ts);
    }

    /** The one source partition's report that it is quiet, as the validate step sends it when it has nothing to do. */
    private void initCaughtUp(SessionizeProcessor p) {
        p.init(context);
        p.process(new Record<>(null, new Validated.Mark(0, 1, Long.MIN_VALUE, true, false, WALL0), WALL0));
    }

    /** An event with its Kafka record timestamp: when it was written to the events topic. */
    private static Record<String, Validated> written(String user, String id, long ts, long recordTs) {
        return event(user, id, ts).withTimestamp(recordTs);
    }

    /** An event re-keyed to this partition through the repartition topic, with the record timestamp of its writing. */
    private static Record<String, Validated> rekeyed(String user, String id, long ts, long recordTs) {
        Validated.ValidEvent v = (Validated.ValidEvent) event(user, id, ts).value();
        return new Record<>(user, (Validated) new Validated.ValidEvent(user, v.event(), v.raw(), false), recordTs);
    }

    private static Record<String, Validated> mark(int source, long progress, boolean caughtUp) {
        return new Record<>("", new Validated.Mark(source, 2, progress, caughtUp, !caughtUp, WALL0), WALL0);
    }

    /** Marks of both source partitions with the same progress. */
    private static void bothSources(SessionizeProcessor p, long progress, boolean quiet) {
        p.process(mark(0, progress, quiet));
        p.process(mark(1, progress, quiet));
    }

    private String firstForwardedJson() {
        return new String(context.forwarded().get(0).record().value().bytes(), StandardCharsets.UTF_8);
    }

    private List<String> forwardedKeys() {
        List<String> keys = new java.util.ArrayList<>();
        context.forwarded().forEach(r -> keys.add(r.record().key() + ":" + r.record().value().kind()));
        return keys;
    }

    /**
     * Draining a backlog, this partition's own records race ahead of the records re-keyed to it through the
     * repartition topic. A re-keyed record is judged by the stream time as of its record timestamp, not by the stream
     * time the direct records have pushed since; sessions are finalized only once every source that is behind has
     * passed them. (Judged by the stream time reached, u1's second event was too late: the defect of the issue.)
     */
    @Test
    void aReKeyedRecordIsJudgedByTheStreamTimeAsOfItsRecordTimestamp() {
        SessionizeProcessor p = processor();
        p.init(context);
        bothSources(p, 1000, false);                               // both sources behind, up to record ts 1000
        p.process(written("u1", "a", T0, 1001));                       // direct
        p.process(written("u9", "z", T0 + 40 * MIN, 1010));            // direct, far ahead: u1's session would be final
        assertThat(context.forwarded()).isEmpty();                     // held: the sources have not passed 1010
        p.process(rekeyed("u1", "b", T0 + 5 * MIN, 1005));             // re-keyed from source 1, written before z
        assertThat(context.forwarded()).isEmpty();                     // accepted, not late
        // Written after z, u1's next event is judged as of z: u1's session is final then, though not emitted yet.
        p.process(written("u1", "c", T0 + 6 * MIN, 1011));
        assertThat(forwardedKeys()).containsExactly("u1:LATE");
        p.process(mark(0, 1020, false));
        assertThat(forwardedKeys()).containsExactly("u1:LATE");        // source 1 still holds at 1000
        p.process(mark(1, 1020, false));
        assertThat(forwardedKeys()).containsExactly("u1:LATE", "u1:SESSION");
        String json = new String(context.forwarded().get(1).record().value().bytes(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_count\":2", "\"session_end\":\"2026-11-24T11:05:00.000Z\"");
        // A straggler written before what every source has passed is judged by the stream time reached: too late.
        p.process(rekeyed("u1", "d", T0 + 7 * MIN, 1015));
        assertThat(forwardedKeys()).containsExactly("u1:LATE", "u1:SESSION", "u1:LATE");
    }

    /**
     * A producer that falls behind writes a burst whose records share one millisecond of record time (RunCommandCrashIT
     * saw hundreds in one, spanning a minute of event time). Record time cannot order them, so a re-keyed record is
     * judged only by records written in earlier milliseconds. (Judged with the records of its own millisecond, u1's
     * event written before z was too late.)
     */
    @Test
    void recordsOfTheSameMillisecondDoNotJudgeAReKeyedRecord() {
        SessionizeProcessor p = processor();
        p.init(context);
        bothSources(p, 1000, false);
        p.process(written("u1", "a", T0, 1005));
        p.process(written("u9", "z", T0 + 40 * MIN, 1005));            // written after b below, in the same ms
        p.process(rekeyed("u1", "b", T0 + MIN, 1005));
        assertThat(context.forwarded()).isEmpty();                     // not late
        bothSources(p, 1006, false);                                   // past the burst: u1's session is final
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        assertThat(firstForwardedJson()).contains("\"event_count\":2");
    }

    /**
     * The other way round: a record re-keyed here arrives before the partition's own records written before it
     * (Kafka Streams does not wait for the events topic when the repartition topic has records). The direct records
     * are judged without it. (Judged by the stream time reached, u1's events were too late: ColdBacklogIT saw it.)
     */
    @Test
    void aDirectRecordIsNotJudgedByAReKeyedRecordWrittenAfterIt() {
        SessionizeProcessor p = processor();
        p.init(context);
        bothSources(p, 1000, false);
        p.process(rekeyed("u9", "z", T0 + 40 * MIN, 1010));            // written last, arriving first
        p.process(written("u1", "a", T0, 1001));
        p.process(written("u1", "b", T0 + MIN, 1002));
        assertThat(context.forwarded()).isEmpty();                     // nothing late
        bothSources(p, 1020, false);
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        assertThat(firstForwardedJson()).contains("\"event_count\":2");
    }

    /**
     * A "quiet" is a claim about the moment it was sent, and counts only for a while: quiet sources repeat it every
     * second. When the broker becomes unreachable the last quiet marks stay the latest this partition has, and once
     * it is back the direct part of the producers' burst arrives before any new mark. Trusted, they let that part push
     * stream time past the re-keyed part (KafkaBrokerCrashIT with mis-keyed records: 28 sessions missing; logged when
     * the re-keyed records were judged too late, the partition's stream time was already the end of the burst).
     */
    @Test
    void aQuietMarkCountsOnlyForAWhileAfterItWasSent() {
        SessionizeProcessor p = processor();
        p.init(context);
        bothSources(p, Long.MIN_VALUE, true);                          // both quiet, at WALL0
        p.process(written("u1", "a", T0, 1001));
        context.setCurrentSystemTimeMs(WALL0 + SessionizeProcessor.QUIET_MARK_MAX_AGE_MS + 3_000); // no mark since
        p.process(written("u9", "z", T0 + 40 * MIN, 1003));            // far ahead: u1's session would be final
        assertThat(context.forwarded()).as("the quiet marks have expired: nothing is confirmed").isEmpty();
        p.process(rekeyed("u1", "b", T0 + 5 * MIN, 1002));             // source 1's record of the burst
        assertThat(context.forwarded()).as("not too late").isEmpty();
        long now = context.currentSystemTimeMs();
        p.process(new Record<>("", new Validated.Mark(0, 2, Long.MIN_VALUE, true, false, now), WALL0));
        p.process(new Record<>("", new Validated.Mark(1, 2, 1002, true, false, now), 1002));
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        assertThat(firstForwardedJson()).contains("\"event_count\":2");
    }

    /**
     * A lag of 0 counts fetched records as consumed. After a crash every partition of the events topic can be fetched
     * (lag 0 everywhere) while another partition's task has not processed its part yet (restoring, or its records
     * still in Kafka Streams' buffer), so what it re-keys here is not on its way: idle then took every record
     * processed here as final and judged those records too late (RunCommandCrashIT: 9 mis-keyed first events of
     * sessions on the late topic). A source partition consumed here is behind until its task has committed past the
     * last record fetched for it.
     */
    @Test
    void aSourceWithFetchedRecordsNotCommittedKeepsThePartitionFromIdling() {
        TopicPartition source1 = new TopicPartition("clickstream.events", 1);
        long[] committed = {30};
        InputLag fetchedNotCommitted = new InputLag() {
            @Override
            public java.util.OptionalLong lag(TopicPartition partition) {
                return java.util.OptionalLong.of(0);                   // everything fetched
            }

            @Override
            public java.util.OptionalLong lastFetched(TopicPartition partition) {
                return java.util.OptionalLong.of(partition.equals(source1) ? 41 : -1);
            }

            @Override
            public java.util.OptionalLong lastCommitted(TopicPartition partition) {
                return java.util.OptionalLong.of(partition.equals(source1) ? committed[0] : -1);
            }
        };
        SessionizeProcessor p = new SessionizeProcessor(Fixture.RULES, new SessionizerMetrics(registry),
                "clickstream.events", fetchedNotCommitted);
        p.init(context);
        bothSources(p, 1000, false);
        p.process(written("u1", "a", T0, 1001));
        p.process(written("u9", "z", T0 + 40 * MIN, 1010));            // far ahead: u1's session would be final
        long idleAfter = Fixture.RULES.idleAdvanceAfter().toMillis();
        punctuateAt(WALL0 + idleAfter + 1_000);
        assertThat(context.forwarded()).as("not idle: source 1 has offsets 31..41 to process").isEmpty();
        p.process(rekeyed("u1", "b", T0 + 5 * MIN, 1005));             // source 1's record, once it processed them
        assertThat(context.forwarded()).as("not too late").isEmpty();
        committed[0] = 42;
        long processedB = context.currentSystemTimeMs();
        punctuateAt(processedB + 1);                                    // the idle period starts from b
        assertThat(context.forwarded()).isEmpty();
        punctuateAt(processedB + idleAfter + 1_000);                    // idle: stream time advances past u1's session
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        assertThat(firstForwardedJson()).contains("\"event_count\":2");
    }

    /**
     * At most the cache's size of headers stay in memory after a commit; a header dropped is read back from the store
     * at its user's next event, and users whose state went leave the count.
     */
    @Test
    void headerCacheStaysBoundedAndDroppedHeadersAreReadBack() {
        SessionizeProcessor p = new SessionizeProcessor(Fixture.RULES, new SessionizerMetrics(registry),
                "clickstream.events", InputLag.UNKNOWN, 4);
        initCaughtUp(p);
        for (int i = 0; i < 10; i++) {                                 // ten users at once: the cache evicts
            p.process(written("a" + i, "a" + i, T0 + i, 1000 + i));
        }
        headers.flush();                                               // a commit
        assertThat(p.cachedHeaders()).isEqualTo(2);                    // dropped to half the cache's size
        for (int i = 0; i < 10; i++) {                                 // read back from the store where dropped
            p.process(written("a" + i, "a" + i + "-2", T0 + 10 + i, 1010 + i));
        }
        // A user's state goes once its final context has expired: after gap + grace + retention of stream time.
        long apart = 4 * Fixture.RULES.gapMs() + Fixture.RULES.graceMs() + Fixture.RULES.maxDurationMs();
        for (int i = 1; i <= 40; i++) {
            p.process(written("b" + i, "b" + i, T0 + i * apart, 2000 + i));
            headers.flush();
            assertThat(p.cachedHeaders()).as("after user %d", i).isEqualTo(1);   // the users before it are gone
        }
        List<String> sessions = new java.util.ArrayList<>();
        context.forwarded().forEach(r -> {
            String json = new String(r.record().value().bytes(), StandardCharsets.UTF_8);
            sessions.add(r.record().key() + ":" + json.replaceAll(".*\"event_count\":(\\d+).*", "$1"));
        });
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add("a" + i + ":2");
        }
        for (int i = 1; i < 40; i++) {
            expected.add("b" + i + ":1");
        }
        assertThat(sessions).containsExactlyInAnyOrderElementsOf(expected);
    }

    private void punctuateAt(long wall) {
        context.setCurrentSystemTimeMs(wall);
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(wall);
    }

    /** Until every source has reported since init, nothing is final; a quiet source holds nothing back. */
    @Test
    void finalizationWaitsForEverySourceAndIgnoresCaughtUpOnes() {
        SessionizeProcessor p = processor();
        p.init(context);
        p.process(written("u1", "a", T0, 1001));
        p.process(written("u9", "z", T0 + 40 * MIN, 1002));
        p.process(mark(0, 1002, false));
        assertThat(context.forwarded()).isEmpty();                     // source 1 not heard from
        p.process(mark(1, Long.MIN_VALUE, true));                      // quiet: nothing to send here
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
    }

    /**
     * After a crash the task reads the repartition topic again from its last commit, marks of the run before the
     * crash included: a source that was quiet then may have a backlog now, so such marks must not count.
     */
    @Test
    void marksSentBeforeTheTaskStartedDoNotCount() {
        SessionizeProcessor p = processor();
        p.init(context);
        p.process(new Record<>("", new Validated.Mark(0, 2, Long.MIN_VALUE, true, false, WALL0 - 1), WALL0));
        p.process(new Record<>("", new Validated.Mark(1, 2, Long.MIN_VALUE, true, false, WALL0 - 1), WALL0));
        p.process(written("u1", "a", T0, 1001));
        p.process(written("u9", "z", T0 + 40 * MIN, 1002));
        assertThat(context.forwarded()).isEmpty();                     // nothing heard from the sources of this run
        p.process(new Record<>("", new Validated.Mark(0, 2, 1002, false, true, WALL0), WALL0));
        p.process(new Record<>("", new Validated.Mark(1, 2, Long.MIN_VALUE, true, false, WALL0), WALL0));
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
    }

    /** The ledger of unconfirmed records is committed with the state: a restarted task judges re-keyed records alike. */
    @Test
    void theLedgerOfUnconfirmedRecordsSurvivesARestart() {
        SessionizeProcessor p = processor();
        p.init(context);
        bothSources(p, 1000, false);
        p.process(written("u1", "a", T0, 1001));
        p.process(written("u9", "z", T0 + 40 * MIN, 1010));
        headers.flush();                                               // a commit
        p.close();
        p.init(context);                                               // sources unknown again until they report
        bothSources(p, 1000, false);
        p.process(rekeyed("u1", "b", T0 + 5 * MIN, 1005));             // re-keyed, written before z
        assertThat(context.forwarded()).isEmpty();
        bothSources(p, Long.MIN_VALUE, true);
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        assertThat(firstForwardedJson()).contains("\"event_count\":2");
    }

    @Test
    void punctuationRunsEveryHalfIdleAdvanceAtMostASecondAndIsCancelledOnClose() {
        SessionizeProcessor p = processor();
        p.init(context);
        List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
        assertThat(scheduled).hasSize(1);
        assertThat(scheduled.get(0).getInterval()).isEqualTo(Duration.ofSeconds(1)); // min(1 s, 30 s / 2)
        assertThat(scheduled.get(0).getType()).isEqualTo(org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME);
        p.close();
        assertThat(scheduled.get(0).cancelled()).isTrue();
    }

    @Test
    void aShortIdleAdvanceIsPunctuatedAtHalfOfIt() {
        SessionizeProcessor p = new SessionizeProcessor(new SessionRules(Duration.ofMinutes(30), Duration.ofHours(12),
                Duration.ofMinutes(2), Duration.ofMillis(600), Duration.ofHours(1), Duration.ofDays(3650), false,
                java.util.Optional.empty()), new SessionizerMetrics(registry), "clickstream.events", InputLag.UNKNOWN);
        p.init(context);
        assertThat(context.scheduledPunctuators().get(0).getInterval()).isEqualTo(Duration.ofMillis(300));
    }

    /**
     * A task revived after TaskCorruptedException gets init() again on the same processor object, over state
     * restored to its last commit: nothing in memory may survive from before, and sessions due in the restored
     * state are still emitted. And the old punctuator must not keep firing beside the new one.
     */
    @Test
    void aRevivedTaskRebuildsEverythingInMemoryFromTheRestoredState() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "a", T0));
        p.process(event("u2", "b", T0 + MIN));
        headers.flush(); // a commit
        p.close();
        // Revived: the same object, init() again over the same stores.
        initCaughtUp(p);
        assertThat(context.scheduledPunctuators()).hasSize(2);
        assertThat(context.scheduledPunctuators().get(0).cancelled()).isTrue();
        assertThat(context.scheduledPunctuators().get(1).cancelled()).isFalse();
        p.process(event("u3", "c", T0 + 40 * MIN)); // stream time passes both sessions' gap + grace
        List<String> emitted = new java.util.ArrayList<>();
        context.forwarded().forEach(r -> emitted.add(r.record().key()));
        assertThat(emitted).containsExactly("u1", "u2");
        assertThat(events.approximateNumEntries()).isZero(); // u3's open event is inline in its header
        headers.flush();
        assertThat(headers.get("u3").open.get(0).tail()).extracting(Event::eventId).containsExactly("c");
    }

    /**
     * Emitting a session does not write its user's header again (those writes were about half of the header records):
     * the stored header still lists the session, and read back it is settled as of the stream time committed with
     * the emission. A restart must neither emit the session again nor count it as open.
     */
    @Test
    void anEmittedSessionsHeaderIsNotWrittenAgainAndReadsBackAsFinal() {
        Bytes u1 = Bytes.wrap("u1".getBytes(StandardCharsets.UTF_8));
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "a", T0));
        headers.flush();                                               // a commit: u1's header, its session open
        byte[] stored = rawHeaders.get(u1);
        p.process(event("u2", "b", T0 + 40 * MIN));                    // stream time passes u1's gap + grace
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");
        headers.flush();
        assertThat(rawHeaders.get(u1)).isEqualTo(stored);              // not written again
        assertThat(headers.get("u1").open).hasSize(1);
        p.close();
        initCaughtUp(p);                                               // a restart over the committed state
        p.process(event("u3", "c", T0 + 41 * MIN));
        assertThat(forwardedKeys()).containsExactly("u1:SESSION");     // u1's session is not emitted again
        // As rebuilt at the restart, before u3: u2's session; u1's is final.
        assertThat(registry.get("sessionizer.sessions.open").gauge().value()).isEqualTo(1.0);
        p.process(event("u1", "d", T0 + 42 * MIN));                    // u1's next session, after the final one
        headers.flush();
        UserHeader h = headers.get("u1");
        assertThat(h.open).extracting(o -> o.summary.firstTs()).containsExactly(T0 + 42 * MIN);
        assertThat(h.lastFinal.lastTs()).isEqualTo(T0);
    }

    /**
     * The cost of an event must not grow with its session: a user with 100,000 events in one session writes one
     * small header per commit and one session-events entry per {@link UserHeader#CHUNK} events, and never reads or
     * rewrites the earlier events.
     */
    @Test
    void aLongSessionCostsTheSameSerializedBytesPerEvent() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        UserHeaderSerde serde = new UserHeaderSerde();
        int headerAfterOneChunk = 0;
        for (int i = 0; i < 100_000; i++) {
            p.process(event("heavy", String.format("e%06d", i), T0 + i * 100L)); // one click every 100 ms
            if (i == UserHeader.CHUNK - 1) {
                headers.flush(); // as Kafka Streams does before a commit
                headerAfterOneChunk = serde.serialize(null, headers.get("heavy")).length;
            }
        }
        headers.flush();
        UserHeader h = headers.get("heavy");
        assertThat(h.open).hasSize(1);
        assertThat(h.open.get(0).summary.count()).isEqualTo(100_000);
        assertThat(h.open.get(0).tail()).isEmpty(); // 100,000 is a multiple of 16
        assertThat(h.open.get(0).chunks).isEqualTo(100_000 / UserHeader.CHUNK);
        // Only the varints of the event and page-view counts (1 -> 3 bytes each) and of the chunks (1 -> 2) grow.
        assertThat(serde.serialize(null, h).length).isEqualTo(headerAfterOneChunk + 5);
        assertThat(events.approximateNumEntries()).isEqualTo(100_000 / UserHeader.CHUNK);
        // The first chunk is the one written first, never rewritten.
        List<Event> first = new java.util.ArrayList<>();
        StateCodec.chunkFromBytes(events.get(StoreKeys.event("heavy".getBytes(StandardCharsets.UTF_8), 0, 0)), first);
        assertThat(first).extracting(Event::eventId).containsExactly(
                java.util.stream.IntStream.range(0, 16).mapToObj(i -> String.format("e%06d", i)).toArray(String[]::new));
        // count 1, then 16 events of 41 bytes: ts 8, id 8, type 10, page 11, amount and three utm 4
        assertThat(events.get(StoreKeys.event("heavy".getBytes(StandardCharsets.UTF_8), 0, 0))).hasSize(1 + 16 * 41);
    }

    /**
     * A value of the previous layout (one session-events entry per event) is rewritten in chunks when its user is
     * next touched, and its sessions come out whole.
     */
    @Test
    void sessionsStoredOneEventPerEntryAreRewrittenInChunks() {
        byte[] user = "u1".getBytes(StandardCharsets.UTF_8);
        List<Event> stored = new java.util.ArrayList<>();
        for (int n = 0; n < 20; n++) {
            Event e = ((Validated.ValidEvent) event("u1", String.format("a%02d", n), T0 + n * 1000L).value()).event();
            stored.add(e);
            events.put(StoreKeys.event(user, 7, n), StateCodec.toBytes(e));
        }
        Bin.Out v2 = new Bin.Out(256);
        v2.b(UserHeaderSerde.V2);
        StateCodec.writeFinal(v2, null);
        v2.i64(8);                                           // next seq
        v2.varint(1);                                        // one open session, seq 7
        v2.i64(7);
        com.acme.clickstream.sessionizer.model.SessionSummary.of(stored).writeTo(v2);
        rawHeaders.put(Bytes.wrap(user), v2.toArray());
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "b", T0 + 25_000));           // appended
        headers.flush();
        UserHeader h = headers.get("u1");
        assertThat(h.open).hasSize(1);
        assertThat(h.open.get(0).chunks).isEqualTo(1);
        assertThat(h.open.get(0).tail()).extracting(Event::eventId).containsExactly("a16", "a17", "a18", "a19", "b");
        assertThat(events.approximateNumEntries()).isEqualTo(1);
        p.process(event("u1", "c", T0 - 500));               // out of order, before the start: the exact re-split
        p.process(event("u9", "z", T0 + 40 * MIN));          // closes it
        String json = new String(context.forwarded().get(0).record().value().bytes(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_count\":22", "\"session_start\":\"2026-11-24T10:59:59.500Z\"");
        assertThat(events.approximateNumEntries()).isZero();
    }

    /**
     * Entries past the window are swept and the store stays bounded; batches go whole (one tombstone each) once the
     * window has passed their largest ts, in the order written.
     */
    @Test
    void dedupEntriesAndBatchesPastTheWindowGoAndTheStoreStaysBounded() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        // 20,000 events over 5.5 h of event time, a commit every 100 events; the window is 1 h.
        for (int i = 0; i < 20_000; i++) {
            p.process(event("u" + (i % 50), "e" + i, T0 + i * 1_000L));
            if (i % 100 == 99) {
                commit();
            }
        }
        long windowEvents = Duration.ofHours(1).toMillis() / 1_000;
        // Every sweep step visits 1024 entries per 512 events: at most two windows' worth is ever kept.
        assertThat((long) entries(dedup).size()).isBetween(windowEvents, 2 * windowEvents + 1024);
        // Batch k holds events 100k..100k+99; the last sweep (event 19,968) expires those whose last event is more
        // than 3,600 s behind: k <= 162 of 200.
        assertThat(heads(dedup)).isEqualTo(200 - 163);
        assertThat(dedup.unsent.stream().filter(kv -> kv.value == null).count()).isEqualTo(163);
        assertThat(batchRecords(dedup)).isEqualTo(200);
    }

    private DedupStore dedupStore() {
        DedupStore store = new DedupStore(Stores.inMemoryKeyValueStore(SessionizerTopology.DEDUP_IDS_STORE).get(), true);
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    /** What Kafka Streams does at a commit: flush the record caches (the dedup batch, the headers). */
    private void commit() {
        dedup.flushCache();
        headers.flush();
    }

    private double duplicates() {
        return registry.get("sessionizer.events.duplicate").counter().count();
    }

    private static Bytes dedupKey(String user, String id) {
        return StoreKeys.dedup(user, id);
    }

    /** The store's entries (not its batch heads). */
    private static List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> entries(DedupStore store) {
        List<org.apache.kafka.streams.KeyValue<Bytes, byte[]>> all = new java.util.ArrayList<>();
        try (var it = store.range(null, DedupStore.ENTRIES_END)) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    private static long heads(DedupStore store) {
        return store.approximateNumEntries() - entries(store).size();
    }

    /** The changelog records the store sent, as a restore reads them. */
    private static List<org.apache.kafka.streams.KeyValue<byte[], byte[]>> changelog(DedupStore store) {
        return store.unsent.stream().map(kv -> org.apache.kafka.streams.KeyValue.pair(kv.key.get(), kv.value)).toList();
    }

    private static long batchRecords(DedupStore store) {
        return store.unsent.stream().filter(kv -> kv.value != null).count();
    }

    /** First copies go to the changelog as one batch record per commit, not one record per event. */
    @Test
    void firstCopiesAreLoggedOncePerCommitAsOneBatch() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        for (int i = 0; i < 100; i++) {
            p.process(event("u" + (i % 7), "e" + i, T0 + i * 1_000L));
        }
        p.process(event("u0", "e0", T0 + 100_000));               // a copy: a duplicate, not recorded again
        assertThat(duplicates()).isEqualTo(1.0);
        assertThat(dedup.unsent).isEmpty();                       // nothing logged before the commit
        commit();
        assertThat(dedup.unsent).hasSize(1);
        assertThat(entries(dedup)).hasSize(100);
        assertThat(heads(dedup)).isEqualTo(1);
        commit();                                                 // a commit with nothing new: no batch
        assertThat(dedup.unsent).hasSize(1);
        p.process(event("u1", "e100", T0 + 101_000));
        commit();
        assertThat(dedup.unsent).hasSize(2);
        assertThat(dedup.unsent.get(1).key.get()).startsWith(DedupStore.BATCH, 0, 0, 0, 0, 0, 0, 0, 1);
    }

    /**
     * After a crash Kafka Streams wipes the task's local state (exactly_once_v2) and restores it from the committed
     * changelog: the batches give back every committed first copy, and one that was never committed is new.
     */
    @Test
    void aWipedStoreIsRestoredFromItsCommittedBatches() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "a", T0));
        p.process(event("u2", "b", T0 + 1_000));
        commit();
        p.process(event("u1", "c", T0 + 2_000));
        commit();
        p.process(event("u1", "d", T0 + 3_000));                  // not committed
        dedup.clearCache();                                       // a dirty close
        p.close();
        List<org.apache.kafka.streams.KeyValue<byte[], byte[]>> committed = changelog(dedup);
        dedup = dedupStore();                                     // wiped
        context.addStateStore(dedup);
        dedup.restore(committed);
        assertThat(entries(dedup)).hasSize(3);
        initCaughtUp(p);
        p.process(event("u1", "a", T0 + 4_000));
        p.process(event("u2", "b", T0 + 4_000));
        p.process(event("u1", "c", T0 + 4_000));
        assertThat(duplicates()).isEqualTo(3.0);
        p.process(event("u1", "d", T0 + 4_000));                  // its first copy was rolled back with its commit
        assertThat(duplicates()).isEqualTo(3.0);
        commit();
        assertThat(dedup.unsent.get(0).key.get()).startsWith(DedupStore.BATCH, 0, 0, 0, 0, 0, 0, 0, 2); // numbers go on
    }

    /**
     * A standby applies the batches as they come, so a promoted standby has the entries at hand; the tombstone of an
     * expired batch also lets it delete the entries the window has passed, which nothing else would on a standby.
     */
    @Test
    void aStandbyKeepsTheEntriesWarmAndDropsWhatTheWindowPassed() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        for (int i = 0; i < 8_000; i++) {                         // 8,000 s of event time, a commit every 100 events
            p.process(event("u" + (i % 50), "e" + i, T0 + i * 1_000L));
            if (i % 100 == 99) {
                commit();
            }
        }
        DedupStore standby = new DedupStore(Stores.inMemoryKeyValueStore("standby").get(), true);
        standby.init(new MockProcessorContext<>().getStateStoreContext(), standby);
        List<org.apache.kafka.streams.KeyValue<byte[], byte[]>> log = changelog(dedup);
        for (int from = 0; from < log.size(); from += 10) {       // as the changelog is read, in polls
            standby.restore(log.subList(from, Math.min(log.size(), from + 10)));
        }
        // Live on the active: the batches past the window went by tombstones; entries of live batches are all there.
        assertThat(heads(standby)).isEqualTo(heads(dedup));
        List<Long> standbyTs = entries(standby).stream().map(kv -> java.nio.ByteBuffer.wrap(kv.value).getLong()).toList();
        long oldestLive = T0 + (8_000 - heads(dedup) * 100) * 1_000L;
        assertThat(standbyTs).contains(oldestLive, T0 + 7_999_000L);
        // What the tombstones put behind the window is gone (within a bounded remainder of the sweep).
        assertThat(standbyTs.stream().filter(ts -> ts < oldestLive - Duration.ofHours(1).toMillis()).count())
                .isLessThan(2_500);
        assertThat(entries(standby).size()).isLessThan(2 * 3_600 + 2_500);
    }

    /** A batch is cut at its size cap within a commit interval, so that no record outgrows the broker's limit. */
    @Test
    void aBatchIsCutAtItsSizeCapAndRestoresWhole() {
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        String pad = "x".repeat(30);
        for (int i = 0; i < 10_000; i++) {
            p.process(event("u" + (i % 10), String.format("%05d", i) + pad, T0 + i));
        }
        commit();
        // 10,000 entries of 48 bytes (length 1, key 4 + 2 + 35, ts 8): three full batches and the rest at the commit.
        assertThat(dedup.unsent).hasSize(4);
        assertThat(dedup.unsent).allSatisfy(kv -> assertThat(kv.value.length).isLessThan(DedupStore.BATCH_BYTES + 64));
        p.close();
        List<org.apache.kafka.streams.KeyValue<byte[], byte[]>> committed = changelog(dedup);
        dedup = dedupStore();
        context.addStateStore(dedup);
        dedup.restore(committed);
        initCaughtUp(p);
        for (int i = 0; i < 10_000; i += 999) {
            p.process(event("u" + (i % 10), String.format("%05d", i) + pad, T0 + 10_000));
        }
        assertThat(duplicates()).isEqualTo(11.0);
        assertThat(entries(dedup)).hasSize(10_000);
    }

    /**
     * An instance upgraded from a version that logged one dedup entry per event still recognises copies of the
     * events before the upgrade, and the old store drains away by the window.
     */
    @Test
    void firstCopiesLoggedByAnEarlierVersionCountUntilTheWindowPassesThem() {
        legacyDedup.put(dedupKey("u1", "old"), T0);
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "old", T0 + 1_000));
        assertThat(duplicates()).isEqualTo(1.0);
        for (int i = 0; i < 5_000; i++) {                         // 83 minutes of event time
            p.process(event("u2", "e" + i, T0 + i * 1_000L));
        }
        assertThat(legacyDedup.approximateNumEntries()).isZero();
        p.process(event("u1", "old", T0 + 4_999_000));            // a copy past the window: a new event
        assertThat(duplicates()).isEqualTo(1.0);
    }

    /** A value of the earlier layout (a user's whole event buffer) is moved into the new stores at task init. */
    @Test
    void valuesOfTheEarlierBufferLayoutAreMigratedBeforeTheFirstPunctuation() {
        Event a = ((Validated.ValidEvent) event("u1", "a", T0).value()).event();
        Event b = ((Validated.ValidEvent) event("u1", "b", T0 + MIN).value()).event();
        Bytes u1 = Bytes.wrap("u1".getBytes(StandardCharsets.UTF_8));
        byte[] legacy = new UserStateSerde().serialize(null, new UserState(List.of(List.of(a, b)), null, T0 + 33 * MIN));
        rawHeaders.put(u1, legacy);
        SessionizeProcessor p = processor();
        p.init(context);
        headers.flush();
        // init() leaves the stores alone: the pass over the headers would hold back the instance's RUNNING state.
        assertThat(rawHeaders.get(u1)).isEqualTo(legacy);
        assertThat(events.approximateNumEntries()).isZero();
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(1_000L);
        p.process(new Record<>(null, new Validated.Mark(0, 1, Long.MIN_VALUE, true, false, WALL0), WALL0));
        headers.flush();
        UserHeader h = headers.get("u1");
        assertThat(h.legacyEvents).isNull();
        assertThat(h.open).hasSize(1);
        assertThat(h.open.get(0).summary.count()).isEqualTo(2);
        assertThat(h.open.get(0).tail()).extracting(Event::eventId).containsExactly("a", "b");
        assertThat(events.approximateNumEntries()).isZero();
        p.process(event("u1", "c", T0 + 2 * MIN));                 // appended to the migrated session
        p.process(event("u9", "z", T0 + 40 * MIN));                // closes it
        Record<? extends String, ? extends Output> emitted = context.forwarded().get(0).record();
        assertThat(emitted.key()).isEqualTo("u1");
        String json = new String(emitted.value().bytes(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_count\":3", "\"session_start\":\"2026-11-24T11:00:00.000Z\"");
        assertThat(events.approximateNumEntries()).isZero(); // u9's event is inline
    }

    @Test
    void aRecordBeforeAnyPunctuationSeesTheStateFoundAtInit() {
        Event a = ((Validated.ValidEvent) event("u1", "a", T0).value()).event();
        Event b = ((Validated.ValidEvent) event("u1", "b", T0 + MIN).value()).event();
        rawHeaders.put(Bytes.wrap("u1".getBytes(StandardCharsets.UTF_8)),
                new UserStateSerde().serialize(null, new UserState(List.of(List.of(a, b)), null, T0 + 33 * MIN)));
        SessionizeProcessor p = processor();
        initCaughtUp(p);
        p.process(event("u1", "c", T0 + 2 * MIN));                 // appended to the session found in the store
        p.process(event("u9", "z", T0 + 40 * MIN));                // closes it
        assertThat(context.forwarded()).hasSize(1);
        String json = new String(context.forwarded().get(0).record().value().bytes(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"event_count\":3", "\"session_start\":\"2026-11-24T11:00:00.000Z\"");
    }
}
