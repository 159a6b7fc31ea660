package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** A TopologyTestDriver around the sessionizer topology with fixed wall-clock time. */
final class Fixture implements AutoCloseable {

    /** Initial wall clock of every driver. */
    static final Instant WALL0 = Instant.parse("2026-11-24T12:00:00Z");
    /** Event-time origin of the tests (an hour before the wall clock). */
    static final long T0 = Instant.parse("2026-11-24T11:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String APP_ID = "sessionizer-test";
    static final String REPARTITION_TOPIC = SessionizerTopology.repartitionTopic(APP_ID);
    /** Test rules: the contract's defaults, with a max future skew that lets event times run ahead of WALL0. */
    static final SessionRules RULES = new SessionRules(Duration.ofMinutes(30), Duration.ofHours(12),
            Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofDays(3650), false,
            java.util.Optional.empty());

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> events;
    final TestInputTopic<String, String> users;
    final TestInputTopic<String, String> pages;
    final TestOutputTopic<String, String> sessions;
    final TestOutputTopic<byte[], byte[]> dlq;
    final TestOutputTopic<String, String> late;

    Fixture(SessionRules rules, Path stateDir) {
        this(rules, stateDir, WALL0);
    }

    Fixture(SessionRules rules, Path stateDir, Instant wallClock) {
        this(rules, stateDir, wallClock, null);
    }

    /**
     * @param keptTaskDirs when set, the sessionize task's state directory is a symbolic link into this directory:
     *                     TopologyTestDriver#close deletes task directories, which only removes the link, so a
     *                     new driver on the same state dir finds the stores as a restarted instance would.
     */
    Fixture(SessionRules rules, Path stateDir, Instant wallClock, Path keptTaskDirs) {
        this(rules, stateDir, wallClock, keptTaskDirs, null);
    }

    /** @param inputLag the consumer lag the topology sees; null: unknown */
    Fixture(SessionRules rules, Path stateDir, Instant wallClock, Path keptTaskDirs, InputLag inputLag) {
        // TopologyTestDriver's topics have one partition: every record keyed by its user is on its user's partition.
        this(rules, stateDir, wallClock, keptTaskDirs, inputLag, PartitionCounts.fixed(1));
    }

    /**
     * @param partitionCounts what the topology is told of the events topic's partition count (the driver itself
     *                        delivers every record on partition 0)
     */
    Fixture(SessionRules rules, Path stateDir, PartitionCounts partitionCounts) {
        this(rules, stateDir, WALL0, null, null, partitionCounts);
    }

    /** With at most {@code headerCache} headers kept in memory, so that the processor reads headers back all along. */
    Fixture(SessionRules rules, Path stateDir, int headerCache) {
        this(rules, stateDir, WALL0, null, null, PartitionCounts.fixed(1), headerCache);
    }

    private Fixture(SessionRules rules, Path stateDir, Instant wallClock, Path keptTaskDirs, InputLag inputLag,
                    PartitionCounts partitionCounts) {
        this(rules, stateDir, wallClock, keptTaskDirs, inputLag, partitionCounts, SessionizeProcessor.HEADER_CACHE);
    }

    private Fixture(SessionRules rules, Path stateDir, Instant wallClock, Path keptTaskDirs, InputLag inputLag,
                    PartitionCounts partitionCounts, int headerCache) {
        Topics t = Topics.defaults();
        Topology topology = new SessionizerTopology(t, rules, registry, inputLag == null ? InputLag.UNKNOWN : inputLag,
                partitionCounts, headerCache).build();
        if (keptTaskDirs != null) {
            linkTaskDir(topology, stateDir, keptTaskDirs);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.NO_OPTIMIZATION);
        driver = new TopologyTestDriver(topology, props, wallClock);
        events = driver.createInputTopic(t.events(), new ByteArraySerializer(), new ByteArraySerializer());
        users = driver.createInputTopic(t.users(), new StringSerializer(), new StringSerializer());
        pages = driver.createInputTopic(t.pages(), new StringSerializer(), new StringSerializer());
        sessions = driver.createOutputTopic(t.sessions(), new StringDeserializer(), new StringDeserializer());
        dlq = driver.createOutputTopic(t.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        late = driver.createOutputTopic(t.late(), new StringDeserializer(), new StringDeserializer());
    }

    private static void linkTaskDir(Topology topology, Path stateDir, Path kept) {
        // One stream sub-topology (globals aside), one partition: the task is 0_0.
        if (topology.describe().subtopologies().size() != 1) {
            throw new IllegalStateException("expected one sub-topology: " + topology.describe());
        }
        try {
            Path target = Files.createDirectories(kept.resolve("0_0"));
            Path link = Files.createDirectories(stateDir.resolve(APP_ID)).resolve("0_0");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Advances stream time with an event of a user of its own (each call a new user). */
    void tick(long ts) {
        String user = "~clock-" + (clockEvents++);
        send(ev("tick", user, ts).json());
    }

    private int clockEvents;

    /** Sends an event keyed by its user_id (as producers should). */
    void send(String json) {
        send(JSON_user(json), json);
    }

    void send(String key, String json) {
        sendRaw(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    void sendRaw(byte[] key, byte[] value) {
        sendRaw(key, value, new RecordHeaders());
    }

    void sendRaw(byte[] key, byte[] value, Headers headers) {
        events.pipeInput(new TestRecord<>(key, value, headers, WALL0));
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    List<JsonNode> sessionValues() {
        List<JsonNode> out = new ArrayList<>();
        for (KeyValue<String, String> kv : sessions.readKeyValuesToList()) {
            JsonNode n = parse(kv.value);
            if (!kv.key.equals(n.get("user_id").asText())) {
                throw new AssertionError("session keyed " + kv.key + " but user_id " + n.get("user_id"));
            }
            out.add(n);
        }
        return out;
    }

    /** "user start..end n=count" of each emitted session, in emission order. */
    List<String> sessionLines() {
        return sessionValues().stream().map(Fixture::line).toList();
    }

    static String line(JsonNode n) {
        return n.get("user_id").asText() + " " + n.get("session_start").asText() + ".." + n.get("session_end").asText()
                + " n=" + n.get("event_count").asInt();
    }

    static String line(String user, long start, long end, int n) {
        return user + " " + iso(start) + ".." + iso(end) + " n=" + n;
    }

    static String iso(long ts) {
        return com.acme.clickstream.sessionizer.model.Timestamps.format(ts);
    }

    List<String> lateEventIds() {
        List<String> ids = new ArrayList<>();
        for (KeyValue<String, String> kv : late.readKeyValuesToList()) {
            JsonNode n = parse(kv.value);
            if (!kv.key.equals(n.get("user_id").asText())) {
                throw new AssertionError("late event keyed " + kv.key + " but user_id " + n.get("user_id"));
            }
            ids.add(n.get("event_id").asText());
        }
        return ids;
    }

    <K, V> List<KeyValue<K, V>> storeContents(String name) {
        KeyValueStore<K, V> store = driver.getKeyValueStore(name);
        List<KeyValue<K, V>> all = new ArrayList<>();
        try (KeyValueIterator<K, V> it = store.all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }

    /** Everything the topology wrote to its repartition topic so far: re-keyed events and marks. */
    List<Validated> repartitioned() {
        List<Validated> all = new ArrayList<>();
        if (driver.producedTopicNames().contains(REPARTITION_TOPIC)) {
            driver.createOutputTopic(REPARTITION_TOPIC, new StringDeserializer(),
                    new ValidEventSerde(new EventValidator(Duration.ofHours(1)))).readValuesToList().forEach(all::add);
        }
        return all;
    }

    /**
     * Marks of source partitions {@code from} to {@code count - 1} that have nothing to send: the driver has one
     * partition, so these sources exist only when the topology is told of more.
     */
    void sourcesCaughtUp(int from, int count) {
        TestInputTopic<String, Validated> repartition = driver.createInputTopic(REPARTITION_TOPIC,
                new StringSerializer(), new ValidEventSerde(new EventValidator(Duration.ofHours(1))));
        for (int p = from; p < count; p++) {
            repartition.pipeInput("", new Validated.Mark(p, count, Long.MIN_VALUE, true, false, Long.MAX_VALUE));
        }
    }

    /** The stream time committed with the state (null: none yet). */
    Long streamTime() {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(SessionizerTopology.STREAM_TIME_STORE);
        byte[] stored = store.get(SessionizeProcessor.STREAM_TIME_KEY);
        return stored == null ? null : java.nio.ByteBuffer.wrap(stored).getLong();
    }

    double counter(String name) {
        return registry.get(name).counter().count();
    }

    double invalidCount(String reason) {
        return registry.get("sessionizer.events.invalid").tag("reason", reason).counter().count();
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Override
    public void close() {
        driver.close();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String JSON_user(String json) {
        return parse(json).get("user_id").asText();
    }

    /** Builder of click-event JSON. */
    static Ev ev(String eventId, String userId, long ts) {
        return new Ev(eventId, userId, ts);
    }

    static final class Ev {
        private final ObjectNode node = JSON.createObjectNode();
        final String eventId;
        final String userId;
        final long ts;

        Ev(String eventId, String userId, long ts) {
            this.eventId = eventId;
            this.userId = userId;
            this.ts = ts;
            node.put("event_id", eventId);
            node.put("user_id", userId);
            node.put("ts", ts);
            node.put("type", "click");
        }

        Ev type(String type) {
            node.put("type", type);
            return this;
        }

        Ev page(String url) {
            node.put("type", "page_view");
            node.put("url", url);
            return this;
        }

        Ev purchase(String amount) {
            node.put("type", "purchase");
            node.put("amount", new java.math.BigDecimal(amount));
            return this;
        }

        Ev utm(String source, String medium, String campaign) {
            node.put("utm_source", source);
            node.put("utm_medium", medium);
            node.put("utm_campaign", campaign);
            return this;
        }

        Ev with(String field, String value) {
            node.put(field, value);
            return this;
        }

        String json() {
            return node.toString();
        }

        @Override
        public String toString() {
            return json();
        }
    }
}
