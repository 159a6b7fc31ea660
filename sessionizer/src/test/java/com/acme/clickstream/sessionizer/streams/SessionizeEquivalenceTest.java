package com.acme.clickstream.sessionizer.streams;

import static com.acme.clickstream.sessionizer.streams.Fixture.MIN;
import static com.acme.clickstream.sessionizer.streams.Fixture.T0;
import static com.acme.clickstream.sessionizer.streams.Fixture.ev;
import static org.assertj.core.api.Assertions.assertThat;

import com.acme.clickstream.sessionizer.model.Event;
import com.acme.clickstream.sessionizer.model.FinalContext;
import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.SessionRulesEngine;
import com.acme.clickstream.sessionizer.model.SessionSummarizer;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * The processor's incremental state (running summaries, events appended by key, re-split only when an event may
 * move a boundary) against the contract computed the plain way: every user's whole buffer re-split by
 * {@link SessionRulesEngine} after every event, nothing forgotten. Seeded random streams with out-of-order events,
 * duplicates with changed fields, copies past the dedup window, sessions cut by max duration, campaigns and day
 * boundaries; the emitted sessions (every field but closed_at) and the late events must be identical.
 */
class SessionizeEquivalenceTest {

    @TempDir
    Path tempDir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void incrementalStateGivesTheSessionsOfTheContract(long seed) throws Exception {
        assertEquivalent(seed, SessionizeProcessor.HEADER_CACHE);
    }

    /**
     * The same with at most three headers in memory: the driver commits after every record, so headers are dropped
     * after (almost) every commit and read back from the store at their user's next event.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void headersReadBackFromTheStoreGiveTheSameSessions(long seed) throws Exception {
        assertEquivalent(seed, 3);
    }

    private void assertEquivalent(long seed, int headerCache) throws Exception {
        // The driver commits (and fsyncs RocksDB's checkpoint files) after every record: on tmpfs where there is one.
        Path shm = Path.of("/dev/shm");
        Path dir = java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)
                ? java.nio.file.Files.createTempDirectory(shm, "equivalence-") : tempDir;
        Random random = new Random(seed);
        SessionRules rules = new SessionRules(Duration.ofMinutes(10), Duration.ofMinutes(40 + random.nextInt(40)),
                Duration.ofMinutes(random.nextInt(3)), Duration.ofSeconds(30),
                Duration.ofMinutes(5 + random.nextInt(40)), Duration.ofDays(3650), seed % 2 == 0,
                seed % 3 == 0 ? Optional.of(ZoneId.of("Europe/Berlin")) : Optional.empty());
        List<Fixture.Ev> input = stream(random, 2000);
        Oracle oracle = new Oracle(rules);
        try (Fixture f = new Fixture(rules, dir, headerCache)) {
            for (Fixture.Ev e : input) {
                f.send(e.json());
                oracle.process(e);
            }
            // Far ahead on every user's partition (one partition here): everything becomes final.
            Fixture.Ev closer = ev("closer", "zz-closer", T0 + 100 * 24 * 60 * MIN);
            f.send(closer.json());
            oracle.process(closer);
            List<String> actual = new ArrayList<>();
            for (JsonNode n : f.sessionValues()) {
                actual.add(withoutClosedAt(n));
            }
            System.out.printf("[equivalence] seed %d: %d sessions, %d late, %.0f duplicates%n", seed,
                    oracle.sessions.size(), oracle.late.size(), oracle.duplicates);
            assertThat(actual).containsExactlyInAnyOrderElementsOf(oracle.sessions);
            assertThat(f.lateEventIds()).containsExactlyInAnyOrderElementsOf(oracle.late);
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(oracle.duplicates);
        } finally {
            if (!dir.equals(tempDir)) {
                org.apache.kafka.common.utils.Utils.delete(dir.toFile());
            }
        }
    }

    /** Five users, event time mostly ascending with jitter, some far out of order, resends old and new. */
    static List<Fixture.Ev> stream(Random random, int n) {
        List<Fixture.Ev> out = new ArrayList<>(n);
        List<Fixture.Ev> sent = new ArrayList<>(n);
        long clock = T0;
        String[] campaigns = {null, null, null, "google", "bing"};
        for (int i = 0; i < n; i++) {
            if (!sent.isEmpty() && random.nextInt(25) == 0) {
                Fixture.Ev original = sent.get(sent.size() - 1 - random.nextInt(Math.min(sent.size(), 400)));
                // A resend, sometimes with other fields (still the same event_id: a duplicate when in the window).
                out.add(random.nextBoolean() ? original
                        : ev(original.eventId, original.userId, original.ts + random.nextInt(5) * MIN));
                continue;
            }
            clock += random.nextInt(4) == 0 ? random.nextInt(25) * MIN : random.nextInt(90_000);
            long ts = switch (random.nextInt(12)) {
                case 0 -> clock - random.nextInt(30) * MIN;   // out of order, maybe too late
                case 1 -> clock - random.nextInt(5) * MIN;    // slightly out of order
                default -> clock;
            };
            String user = "u" + random.nextInt(5);
            Fixture.Ev e = ev("e" + i, user, Math.max(0, ts));
            switch (random.nextInt(4)) {
                case 0 -> e.purchase((random.nextInt(10000) / 100.0) + "");
                case 1 -> e.type("click");
                default -> e.page("https://shop.example.com/p/" + random.nextInt(20));
            }
            String campaign = campaigns[random.nextInt(campaigns.length)];
            if (campaign != null) {
                e.utm(campaign, random.nextBoolean() ? "cpc" : null, null);
            }
            out.add(e);
            sent.add(e);
        }
        return out;
    }

    static String withoutClosedAt(JsonNode n) {
        com.fasterxml.jackson.databind.node.ObjectNode o = n.deepCopy();
        o.remove("closed_at");
        return o.toString();
    }

    /** The contract, computed the plain way. */
    static final class Oracle {
        static final JsonSerde<Session> SERDE = new JsonSerde<>(Session.class);
        final SessionRules rules;
        final Map<String, Long> dedup = new HashMap<>();
        final Map<String, List<Event>> buffers = new TreeMap<>();
        final Map<String, FinalContext> finals = new HashMap<>();
        final List<String> sessions = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        double duplicates;
        long streamTime = Long.MIN_VALUE;

        Oracle(SessionRules rules) {
            this.rules = rules;
        }

        void process(Fixture.Ev in) {
            Event e = toEvent(in);
            streamTime = Math.max(streamTime, e.ts());
            String key = in.userId + '\u0000' + in.eventId;
            Long first = dedup.get(key);
            if (first != null && streamTime - first <= rules.dedupWindow().toMillis()) {
                duplicates++;
            } else {
                dedup.put(key, e.ts());
                sessionize(in.userId, in.eventId, e);
            }
            finalizeDue();
        }

        private void sessionize(String user, String eventId, Event e) {
            FinalContext fin = finals.get(user);
            List<Event> buffer = new ArrayList<>(buffers.getOrDefault(user, List.of()));
            if (fin != null && e.compareTo(fin.lastTs(), fin.lastEventId()) <= 0) {
                late.add(eventId);
            } else {
                buffer.add(e);
                buffer.sort(Event.ORDER);
                SessionRulesEngine.Split split = SessionRulesEngine.split(buffer, fin, rules);
                List<Event> own = split.sessions().stream().filter(s -> s.contains(e)).findFirst().orElse(null);
                if (!split.joinsFinal().isEmpty() || rules.finalAt(own.get(own.size() - 1).ts()) <= streamTime) {
                    late.add(eventId);
                } else {
                    buffers.put(user, buffer);
                }
            }
        }

        private void finalizeDue() {
            for (Map.Entry<String, List<Event>> b : buffers.entrySet()) {
                List<List<Event>> split = SessionRulesEngine.split(b.getValue(), finals.get(b.getKey()), rules)
                        .sessions();
                List<Event> rest = new ArrayList<>(b.getValue());
                for (List<Event> s : split) {
                    if (rules.finalAt(s.get(s.size() - 1).ts()) > streamTime) {
                        break;
                    }
                    Session session = SessionSummarizer.summarize(b.getKey(), s, null, p -> null, 0L);
                    sessions.add(withoutClosedAt(Fixture.parse(new String(SERDE.serialize(null, session),
                            java.nio.charset.StandardCharsets.UTF_8))));
                    finals.put(b.getKey(), FinalContext.of(s));
                    rest.removeAll(s);
                }
                b.setValue(rest);
            }
        }

        static Event toEvent(Fixture.Ev in) {
            JsonNode n = Fixture.parse(in.json());
            String type = n.get("type").asText();
            String page = null;
            if ("page_view".equals(type)) {
                String url = n.get("url").asText();
                page = java.net.URI.create(url).getRawPath();
            }
            BigDecimal amount = "purchase".equals(type) && n.hasNonNull("amount")
                    ? new BigDecimal(n.get("amount").asText()) : null;
            String utm = n.hasNonNull("utm_source") ? n.get("utm_source").asText() : null;
            return new Event(in.ts, in.eventId, type, page, amount, utm,
                    n.hasNonNull("utm_medium") ? n.get("utm_medium").asText() : null,
                    n.hasNonNull("utm_campaign") ? n.get("utm_campaign").asText() : null);
        }
    }
}
