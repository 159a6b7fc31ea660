package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * exactly_once_v2 across a crash that lands mid-flight: a deterministic stream is fed to the packaged service
 * while it runs, and the service is killed with SIGKILL at a moment when (asserted, not hoped) sessions have been
 * committed, the input still has consumer lag and the application has a Kafka transaction open. While it is down
 * the rest of the stream arrives; a second instance on the same state directory then gets resends of events
 * processed before the crash (some in sessions already final, some in open ones), so deduplication state must
 * survive the crash. Every session computed independently from the input must then be on clickstream.sessions
 * (read_committed) exactly once, with its exact event count, and the DLQ and late topics must hold exactly the
 * invalid and too-late records: a duplicate whose first copy was forgotten would show as a late record or as an
 * event counted twice. (Start times are measured by {@link StartupTimeIT}.)
 */
class ExactlyOnceIT {
    static final String PREFIX = "eos.";
    static final String APP_ID = "sessionizer-eos-it";
    static final int USERS = 1200;
    static final Instant T = Instant.parse("2026-11-20T08:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Records per burst of the feeding producer (one every 100 ms): each burst leaves the service a backlog to work
     * through. Small enough that the feed outlasts the first committed session by seconds: a service that drains
     * each burst quickly is still caught mid-burst.
     */
    static final int BURST = 150;

    record Ev(Instant ts, String user, String json) {}

    record Expected(String user, String start, String end, int events) {}

    @Test
    void everySessionExactlyOnceAcrossAKill9MidFlight() throws Exception {
        Map<String, String> topics = Servers.createTopics(PREFIX);
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", Servers.kafka().bootstrapServers());
        env.put("QUARKUS_KAFKA_STREAMS_APPLICATION_ID", APP_ID);
        env.put("KAFKA_STREAMS_STATE_DIR", Servers.scratch("eos-state").toString());
        // The broker's minimum: the restarted instance need not wait 45 s for the killed one to expire.
        env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres");
        env.putAll(Servers.asEnv(topics));

        // User i: session A = 4 events one minute apart from T + 1 s * i, its last two sent in reverse order (an
        // out-of-order event inside an open session), then a gap of 31 minutes, session B = 2 events one minute
        // apart. Otherwise produced in time order, so nothing is late.
        List<Ev> events = new ArrayList<>();
        List<Expected> expected = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = String.format("eos-u%04d", i);
            Instant a = T.plusSeconds(i);
            Instant b = a.plus(Duration.ofMinutes(34));
            for (int k = 0; k < 4; k++) {
                // The third event is sent at the fourth's time: it arrives after it.
                Instant sentAt = a.plus(Duration.ofMinutes(k == 2 ? 3 : k)).plusMillis(k == 2 ? 1 : 0);
                events.add(new Ev(sentAt, user, pageView(user, "a" + k, a.plus(Duration.ofMinutes(k))).json()));
            }
            for (int k = 0; k < 2; k++) {
                events.add(pageView(user, "b" + k, b.plus(Duration.ofMinutes(k))));
            }
            expected.add(new Expected(user, iso(a), iso(a.plus(Duration.ofMinutes(3))), 4));
            expected.add(new Expected(user, iso(b), iso(b.plus(Duration.ofMinutes(1))), 2));
        }
        events.sort(Comparator.comparing(Ev::ts).thenComparing(Ev::user));
        List<Map.Entry<String, String>> stream = new ArrayList<>();
        for (Ev e : events) {
            stream.add(Map.entry(e.user(), e.json()));
        }
        // Invalid records spread over the stream: they go to the DLQ.
        stream.add(1, Map.entry("eos-u0000", "not json"));
        stream.add(500, Map.entry("eos-u0003", "{\"event_id\":\"x\",\"user_id\":\"eos-u0003\",\"type\":\"click\"}"));
        stream.add(3000, Map.entry("eos-u0004", "[1,2,3]"));
        stream.add(5000, Map.entry("eos-u0005", "{\"event_id\":\"y\",\"user_id\":\"eos-u0005\",\"ts\":\"yesterday\",\"type\":\"click\"}"));
        stream.add(Map.entry("eos-u0006", "{\"event_id\":\"z\",\"user_id\":\"\",\"ts\":1,\"type\":\"click\"}"));
        // Too late: two hours before stream time, forming sessions that are final on arrival.
        stream.add(Map.entry("eos-late-1", pageView("eos-late-1", "l0", T.minus(Duration.ofHours(2))).json()));
        stream.add(Map.entry("eos-late-2", pageView("eos-late-2", "l0", T.minus(Duration.ofHours(2))).json()));

        // After the restart: resends of early events (users 0-19: session A final before the crash, since the
        // crash waits for committed sessions and A of the first users closes first) and of B events of the last
        // users (open or just closed at the crash), then one event three hours later per partition, closing all.
        List<Map.Entry<String, String>> afterRestart = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String user = String.format("eos-u%04d", i);
            afterRestart.add(Map.entry(user, pageView(user, "a0", T.plusSeconds(i)).json()));
            String lastUser = String.format("eos-u%04d", USERS - 1 - i);
            Instant b = T.plusSeconds(USERS - 1 - i).plus(Duration.ofMinutes(34));
            afterRestart.add(Map.entry(lastUser, pageView(lastUser, "b1", b.plus(Duration.ofMinutes(1))).json()));
        }
        for (int p = 0; p < Servers.EVENT_PARTITIONS; p++) {
            String closer = closerFor(p);
            afterRestart.add(Map.entry(closer, pageView(closer, "c0", T.plus(Duration.ofHours(3))).json()));
        }

        String eventsTopic = topics.get("sessionizer.topics.events");
        String sessionsTopic = topics.get("sessionizer.topics.sessions");
        AtomicReference<Throwable> feedFailure = new AtomicReference<>();
        Thread feeder = new Thread(() -> feed(eventsTopic, stream, feedFailure), "eos-feeder");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                Servers.kafka().bootstrapServers()))) {
            AppProcess first = AppProcess.start("eos-1", env);
            try {
                awaitReady(first);
                feeder.start();
                // The moment the fault must hit: results committed, input not drained, a transaction open.
                AtomicReference<String> hit = new AtomicReference<>();
                java.util.concurrent.atomic.AtomicBoolean committed = new java.util.concurrent.atomic.AtomicBoolean();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(5)).until(() -> {
                    // Reading the sessions topic takes a consumer's start: once a session is there, only the cheap
                    // checks are repeated, so that the short moments of a burst in flight are not missed.
                    if (!committed.get()) {
                        if (Events.readCommitted(sessionsTopic).isEmpty()) {
                            return false;
                        }
                        committed.set(true);
                    }
                    long lag = lag(admin, APP_ID, eventsTopic);
                    List<String> open = openTransactions(admin);
                    if (lag > 0 && !open.isEmpty()) {
                        hit.set("lag " + lag + ", open transactions " + open);
                        return true;
                    }
                    return false;
                });
                first.kill();
                int beforeCrash = Events.readCommitted(sessionsTopic).size();
                System.out.println("[sessionizer eos] killed at " + hit.get() + "; sessions committed: " + beforeCrash);
                assertThat(beforeCrash).isPositive().isLessThan(expected.size());
            } finally {
                first.close();
            }
            assertThat(first.isAlive()).isFalse();
            feeder.join(Duration.ofSeconds(120).toMillis());
            assertThat(feeder.isAlive()).isFalse();
            assertThat(feedFailure.get()).isNull();

            try (AppProcess second = AppProcess.start("eos-2", env)) {
                awaitReady(second);
                Events.send(eventsTopic, afterRestart);
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                        .until(() -> Events.readCommitted(sessionsTopic).size() >= expected.size()
                                && lag(admin, APP_ID, eventsTopic) == 0);
            }
        }
        // The service stopped cleanly: every transaction is committed or aborted, nothing is pending.
        List<Expected> actual = new ArrayList<>();
        for (ConsumerRecord<String, String> r : Events.readCommitted(sessionsTopic)) {
            JsonNode s = JSON.readTree(r.value());
            assertThat(r.key()).isEqualTo(s.get("user_id").asText());
            assertThat(s.get("closed_at").isNull()).isFalse();
            actual.add(new Expected(s.get("user_id").asText(), s.get("session_start").asText(),
                    s.get("session_end").asText(), s.get("event_count").asInt()));
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Events.readCommitted(topics.get("sessionizer.topics.dlq"))).hasSize(5);
        List<ConsumerRecord<String, String>> late = Events.readCommitted(topics.get("sessionizer.topics.late"));
        assertThat(late).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("eos-late-1", "eos-late-2");
    }

    /** Sends the stream in bursts, each acknowledged before the next: load keeps arriving while the service runs. */
    static void feed(String topic, List<Map.Entry<String, String>> stream, AtomicReference<Throwable> failure) {
        try (KafkaProducer<String, String> producer = Events.producer()) {
            for (int from = 0; from < stream.size(); from += BURST) {
                for (Map.Entry<String, String> kv : stream.subList(from, Math.min(stream.size(), from + BURST))) {
                    producer.send(new ProducerRecord<>(topic, kv.getKey(), kv.getValue()));
                }
                producer.flush();
                Thread.sleep(100); // pacing of the load generator, not a wait for a condition
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Records of the events topic past the committed offsets of application (consumer group) {@code appId}. */
    static long lag(Admin admin, String appId, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < Servers.EVENT_PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    /** Transactional ids of the application with a transaction in progress on the broker. */
    static List<String> openTransactions(Admin admin) throws Exception {
        return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
                .all().get().stream().map(TransactionListing::transactionalId).filter(id -> id.startsWith(APP_ID))
                .toList();
    }

    static Ev pageView(String user, String id, Instant ts) {
        return new Ev(ts, user, Events.pageView(user + "-" + id, user, iso(ts), "https://shop.example.com/p/" + id));
    }

    static String iso(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(t);
    }

    /** A user id that Kafka's default partitioner puts on partition p of clickstream.events. */
    static String closerFor(int partition) {
        for (int n = 0; ; n++) {
            String user = "eos-close-" + n;
            if (Utils.toPositive(Utils.murmur2(user.getBytes(StandardCharsets.UTF_8))) % Servers.EVENT_PARTITIONS == partition) {
                return user;
            }
        }
    }

    static void awaitReady(AppProcess app) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                .until(() -> app.get("/q/health/ready").status() == 200);
    }
}
