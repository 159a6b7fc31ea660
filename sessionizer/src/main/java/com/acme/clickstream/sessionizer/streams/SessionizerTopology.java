package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.EventValidator;
import com.acme.clickstream.sessionizer.model.PageInfo;
import com.acme.clickstream.sessionizer.model.UserProfile;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The sessionizer topology, top to bottom in data-flow order:
 * <pre>
 * events ─▶ validate ─┬─ invalid ─────────────────────────────────▶ dlq
 *                     ├─ keyed by user_id, on that user's partition ─┐
 *                     └─ the others ─▶ events-by-user ───────────────┴─▶ sessionize ─┬─ sessions
 *                                      (repartition)                                   └─ late
 * users, pages ─▶ global stores (read by sessionize at finalization)
 * </pre>
 * The validate step also sends its partition's progress to every partition of the repartition topic (marks, behind
 * the re-keyed records): sessionize judges a re-keyed record by the stream time as of its record timestamp and
 * finalizes only what no source still behind can change (see {@link SessionizeProcessor}).
 * Every processor, store and internal topic is named explicitly.
 */
public final class SessionizerTopology {

    /** Per user: summaries of the open sessions and the last final session's context, key user_id: queryable. */
    public static final String SESSIONS_STORE = "sessions";
    /** The events of open sessions, key (user_id, session seq, n): read back only to re-split. */
    public static final String SESSION_EVENTS_STORE = "session-events";
    public static final String STREAM_TIME_STORE = "stream-time";
    /** First copies by (user_id, event_id), value their ts; its changelog carries them in batches (DedupStore). */
    public static final String DEDUP_IDS_STORE = "dedup-ids";
    /** First copies as earlier versions logged them, one entry per event: read until the window has passed them. */
    public static final String LEGACY_DEDUP_STORE = "dedup";
    /** Global stores of the compacted lookup topics (raw values), queryable. */
    public static final String PROFILES_STORE = "user-profiles";
    public static final String PAGES_STORE = "page-info";
    /** Headers the sessionize step keeps in memory per task unless told otherwise: the service's default. */
    public static final int DEFAULT_HEADER_CACHE = SessionizeProcessor.HEADER_CACHE;
    /** Name of the repartition step; the topic is {@code <application.id>-events-by-user-repartition}. */
    public static final String REPARTITION_NAME = "events-by-user";

    private final Topics topics;
    private final SessionRules rules;
    private final SessionizerMetrics metrics;
    private final InputLag inputLag;
    private final PartitionCounts partitionCounts;
    private final int headerCache;

    /** Without knowledge of the consumer lag: a partition counts as idle once nothing was processed on it. */
    public SessionizerTopology(Topics topics, SessionRules rules, MeterRegistry registry) {
        this(topics, rules, registry, InputLag.UNKNOWN);
    }

    /**
     * @param inputLag the consumer lag of the input partitions (the events topic and the repartition topic): a
     *                 partition with records still to consume is never idle
     */
    public SessionizerTopology(Topics topics, SessionRules rules, MeterRegistry registry, InputLag inputLag) {
        this(topics, rules, registry, inputLag, PartitionCounts.fromBroker());
    }

    /**
     * @param partitionCounts the partition count of the events topic, which decides whether a record keyed by its user
     *                        is on its user's partition ({@link PartitionCounts#fromBroker()} but in
     *                        TopologyTestDriver, whose topics have one partition)
     */
    public SessionizerTopology(Topics topics, SessionRules rules, MeterRegistry registry, InputLag inputLag,
                               PartitionCounts partitionCounts) {
        this(topics, rules, registry, inputLag, partitionCounts, DEFAULT_HEADER_CACHE);
    }

    /**
     * @param headerCache headers the sessionize step keeps in memory per task
     *                    ({@code sessionizer.header-cache.per-task}; tests make it small)
     */
    public SessionizerTopology(Topics topics, SessionRules rules, MeterRegistry registry, InputLag inputLag,
                               PartitionCounts partitionCounts, int headerCache) {
        this.headerCache = SessionizeProcessor.checkedHeaderCache(headerCache);
        this.topics = Objects.requireNonNull(topics, "topics");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.metrics = new SessionizerMetrics(Objects.requireNonNull(registry, "registry"));
        this.inputLag = Objects.requireNonNull(inputLag, "inputLag");
        this.partitionCounts = Objects.requireNonNull(partitionCounts, "partitionCounts");
    }

    /** The repartition topic of an application: {@code <application.id>-events-by-user-repartition}. */
    public static String repartitionTopic(String applicationId) {
        return applicationId + "-" + REPARTITION_NAME + "-repartition";
    }

    public Topology build() {
        StreamsBuilder builder = new StreamsBuilder(namingCheckedConfig());
        EventValidator validator = new EventValidator(rules.maxFutureSkew());
        // Moved by the global stores' updaters, read by the sessionize processors' lookup caches (Enrichment).
        Enrichment.LookupUpdates lookupUpdates = Enrichment.LookupUpdates.create();

        builder.addGlobalStore(lookupStore(PROFILES_STORE), topics.users(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("users-global"),
                () -> new LookupStoreUpdater(PROFILES_STORE, UserProfile.class, JsonSerde.newMapper(),
                        lookupUpdates.profiles()));
        builder.addGlobalStore(lookupStore(PAGES_STORE), topics.pages(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("pages-global"),
                () -> new LookupStoreUpdater(PAGES_STORE, PageInfo.class, JsonSerde.newMapper(),
                        lookupUpdates.pages()));

        // Uncached: the processor writes its two values once per commit, from the sessions store's flush.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STREAM_TIME_STORE),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled());
        // Uncached: every key is written once and read about once, so a cache saves no write and costs a sorted-map
        // lookup per event; its changelog gets one record per commit, the batch of its new entries (DedupStore).
        builder.addStateStore(DedupStore.builder(DEDUP_IDS_STORE));
        // Kept so that an upgraded instance still knows the first copies logged before the upgrade (DedupIndex).
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LEGACY_DEDUP_STORE),
                Serdes.Bytes(), Serdes.Long()).withCachingDisabled());
        // Written behind by the processor: each changed header once per commit (HeaderStore).
        builder.addStateStore(HeaderStore.builder(SESSIONS_STORE));
        // Uncached: each event is written once and deleted once by key, never read on the common path.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SESSION_EVENTS_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled());

        // Keyed by user id as it leaves validation: the keyed path goes straight on, without a re-keying step.
        KStream<String, Validated> validated = builder
                .stream(topics.events(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("events-source"))
                .process(() -> new ValidateProcessor(validator, metrics, partitionCounts, topics.events(), inputLag),
                        Named.as("validate"));

        Map<String, KStream<String, Validated>> routes = validated.split(Named.as("route-"))
                .branch((key, value) -> value instanceof Validated.InvalidRecord, Branched.as("invalid"))
                .branch((key, value) -> value instanceof Validated.ValidEvent v && v.onItsPartition(),
                        Branched.as("keyed"))
                .defaultBranch(Branched.as("mis-keyed")); // and the source's marks, which go to every partition

        routes.get("route-invalid")
                .map(SessionizerTopology::dlqRecord, Named.as("dlq-original-record"))
                .to(topics.dlq(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dlq-sink"));

        KStream<String, Validated> keyed = routes.get("route-keyed");
        KStream<String, Validated> rekeyed = routes.get("route-mis-keyed")
                .repartition(Repartitioned.<String, Validated>as(REPARTITION_NAME)
                        .withKeySerde(Serdes.String()).withValueSerde(new ValidEventSerde(validator))
                        .withStreamPartitioner(new ByUserOrEveryPartition()));

        keyed.merge(rekeyed, Named.as("merge-by-user"))
                .process(() -> new SessionizeProcessor(rules, metrics, topics.events(), inputLag, headerCache,
                                lookupUpdates),
                        Named.as("sessionize"),
                        STREAM_TIME_STORE, DEDUP_IDS_STORE, LEGACY_DEDUP_STORE, SESSIONS_STORE,
                        SESSION_EVENTS_STORE)
                // One sink, its topic chosen per record: a final session or a too-late event, each as its bytes.
                .to(Output.topic(topics), Produced.with(Serdes.String(), Output.SERDE).withName("output-sink"));

        return builder.build(topologyOverrides());
    }

    /** An invalid record as the DLQ gets it: its original key and value. */
    private static KeyValue<byte[], byte[]> dlqRecord(String key, Validated value) {
        Validated.InvalidRecord invalid = (Validated.InvalidRecord) value;
        return KeyValue.pair(invalid.key(), invalid.raw());
    }

    /**
     * Events go where Kafka's default partitioner puts their user id (partition count inherited from the events
     * topic); a source's mark goes to every partition.
     */
    static final class ByUserOrEveryPartition implements StreamPartitioner<String, Validated> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, Validated value, int numPartitions) {
            if (value instanceof Validated.Mark) {
                Set<Integer> all = new HashSet<>();
                for (int p = 0; p < numPartitions; p++) {
                    all.add(p);
                }
                return Optional.of(all);
            }
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
                    % numPartitions));
        }
    }

    /** Global stores are restored from their topic itself: no changelog. */
    private static StoreBuilder<KeyValueStore<String, byte[]>> lookupStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled();
    }

    private static Properties topologyOverrides() {
        Properties p = new Properties();
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.NO_OPTIMIZATION);
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        return p;
    }

    /**
     * The naming check runs when the StreamsBuilder has a TopologyConfig asking for it. The placeholder
     * application id and bootstrap servers only satisfy StreamsConfig: KafkaStreams (and TopologyTestDriver)
     * replace the whole configuration with the application's, keeping only these topology overrides.
     */
    static TopologyConfig namingCheckedConfig() {
        Properties base = new Properties();
        base.put(StreamsConfig.APPLICATION_ID_CONFIG, "sessionizer-topology-build");
        base.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        base.putAll(topologyOverrides());
        return new TopologyConfig(null, new StreamsConfig(base), topologyOverrides());
    }

}
