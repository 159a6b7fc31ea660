package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.model.SessionSummarizer;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static com.acme.clickstream.sessionizer.streams.Fixture.MIN;
import static com.acme.clickstream.sessionizer.streams.Fixture.RULES;
import static com.acme.clickstream.sessionizer.streams.Fixture.T0;
import static com.acme.clickstream.sessionizer.streams.Fixture.WALL0;
import static com.acme.clickstream.sessionizer.streams.Fixture.ev;
import static com.acme.clickstream.sessionizer.streams.Fixture.line;
import static org.assertj.core.api.Assertions.assertThat;

class SessionizerTopologyTest {

    static final byte[] KEY = "k1".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    static String header(TestRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- validation, DLQ, nulls

    @Test
    void invalidRecordGoesToDlqWithOriginalKeyValueAndHeaders() {
        try (Fixture f = new Fixture(RULES, dir)) {
            byte[] bad = "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"type\":\"click\"}".getBytes(StandardCharsets.UTF_8);
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
            f.send(ev("ok", "u1", T0).json());                        // offset 0
            f.sendRaw(KEY, bad, headers);                             // offset 1
            f.sendRaw(null, new byte[]{(byte) 0xC3, (byte) 0x28});    // offset 2: not UTF-8

            TestRecord<byte[], byte[]> r = f.dlq.readRecord();
            assertThat(r.key()).isEqualTo(KEY);
            assertThat(r.value()).isEqualTo(bad);
            assertThat(header(r, "trace")).isEqualTo("abc");
            assertThat(header(r, "dlq.reason")).isEqualTo("missing required field 'ts'");
            assertThat(header(r, "dlq.reason.code")).isEqualTo("missing_field");
            assertThat(header(r, "dlq.source.topic")).isEqualTo("clickstream.events");
            assertThat(header(r, "dlq.source.partition")).isEqualTo("0");
            assertThat(header(r, "dlq.source.offset")).isEqualTo("1");

            TestRecord<byte[], byte[]> r2 = f.dlq.readRecord();
            assertThat(r2.key()).isNull();
            assertThat(r2.value()).isEqualTo(new byte[]{(byte) 0xC3, (byte) 0x28});
            assertThat(header(r2, "dlq.reason.code")).isEqualTo("not_utf8");
            assertThat(header(r2, "dlq.source.offset")).isEqualTo("2");
            assertThat(f.dlq.isEmpty()).isTrue();
            assertThat(f.invalidCount("missing_field")).isEqualTo(1.0);
            assertThat(f.invalidCount("not_utf8")).isEqualTo(1.0);
            assertThat(f.invalidCount("not_json")).isZero();
            assertThat(f.late.isEmpty()).isTrue();
            assertThat(f.sessions.isEmpty()).isTrue();
            // Invalid records do not move stream time.
            assertThat(f.streamTime()).isEqualTo(T0);
        }
    }

    @Test
    void eachInvalidReasonIsCountedAndSentToTheDlq() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send("u", "[]");
            f.send("u", "{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":\"yesterday\",\"type\":\"x\"}");
            f.send("u", "{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"page_view\",\"url\":\"a b\"}");
            f.send("u", "{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":\"purchase\",\"amount\":0.001}");
            f.send("u", "{\"event_id\":\"" + "e".repeat(129) + "\",\"user_id\":\"u\",\"ts\":1,\"type\":\"x\"}");
            f.send("u", "{\"event_id\":\"e\",\"user_id\":\"u\",\"ts\":1,\"type\":7}");
            f.send("u", "{\"event_id\":\"e\",\"user_id\":\"u\\u0000\",\"ts\":1,\"type\":\"x\"}");
            List<String> codes = f.dlq.readRecordsToList().stream().map(r -> header(r, "dlq.reason.code")).toList();
            assertThat(codes).containsExactly("not_json", "bad_ts", "bad_url", "bad_amount", "too_long", "wrong_type",
                    "nul_char");
            for (String code : codes) {
                assertThat(f.invalidCount(code)).as(code).isEqualTo(1.0);
            }
            assertThat(f.streamTime()).isNull();
        }
    }

    @Test
    void futureTimestampIsJudgedAgainstTheWallClock() {
        SessionRules rules = new SessionRules(RULES.inactivityGap(), RULES.maxDuration(), RULES.grace(),
                RULES.idleAdvanceAfter(), RULES.dedupWindow(), Duration.ofHours(1), false, java.util.Optional.empty());
        try (Fixture f = new Fixture(rules, dir)) {
            long limit = WALL0.toEpochMilli() + Duration.ofHours(1).toMillis();
            f.send(ev("e1", "u1", limit + 1).json());
            assertThat(header(f.dlq.readRecord(), "dlq.reason.code")).isEqualTo("future_ts");
            f.send(ev("e2", "u1", limit).json());
            f.advanceWallClock(Duration.ofMillis(1));
            f.send(ev("e3", "u1", limit + 1).json());
            assertThat(f.dlq.isEmpty()).isTrue();
            assertThat(f.streamTime()).isEqualTo(limit + 1);
            assertThat(f.invalidCount("future_ts")).isEqualTo(1.0);
        }
    }

    @Test
    void nullValueIsSkippedAndCounted() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send("u1", null);
            assertThat(f.counter("sessionizer.events.null")).isEqualTo(1.0);
            assertThat(f.dlq.isEmpty()).isTrue();
            assertThat(f.late.isEmpty()).isTrue();
            assertThat(f.streamTime()).isNull();
            assertThat(f.<String, UserHeader>storeContents(SessionizerTopology.SESSIONS_STORE)).isEmpty();
        }
    }

    // ---------------------------------------------------------------- keys and repartitioning

    @Test
    void misKeyedRecordsAreSessionizedByTheValuesUserIdViaTheRepartitionTopic() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(null, ev("e1", "u1", T0).json());
            f.send("u2", ev("e2", "u1", T0 + MIN).json());
            f.send("u1", ev("e3", "u1", T0 + 2 * MIN).json());
            f.sendRaw("u1 ".getBytes(StandardCharsets.UTF_8), ev("e4", "u1", T0 + 3 * MIN).json()
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(f.driver.producedTopicNames()).contains(Fixture.APP_ID + "-events-by-user-repartition");
            f.tick(T0 + 35 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0 + 3 * MIN, 4));
        }
    }

    @Test
    void recordsKeyedByUserIdSkipTheRepartitionTopic() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "ü-ser", T0).json());
            f.tick(T0 + 32 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1), line("ü-ser", T0, T0, 1));
            // Only the partition's marks of progress take the repartition topic.
            assertThat(f.repartitioned()).isNotEmpty().allMatch(v -> v instanceof Validated.Mark);
        }
    }

    /**
     * A record keyed by its user id but on another partition than Kafka's default partitioner gives that id (a producer
     * with another partitioner, e.g. librdkafka's CRC32 default, or choosing partitions itself) must take the
     * repartition topic too: skipping it would sessionize the user's events on two tasks.
     */
    @Test
    void recordsKeyedByUserIdButOnAnotherPartitionGoThroughTheRepartitionTopic() {
        String onPartition0 = userOnPartition(0, 4);
        String elsewhere = userOnPartition(3, 4);
        try (Fixture f = new Fixture(RULES, dir, PartitionCounts.fixed(4))) {
            // The driver delivers every record on partition 0; partitions 1 to 3 have nothing to send.
            f.sourcesCaughtUp(1, 4);
            f.send(ev("e1", onPartition0, T0).json());
            assertThat(f.repartitioned()).allMatch(v -> v instanceof Validated.Mark);
            f.send(ev("e2", elsewhere, T0).json());
            assertThat(f.repartitioned()).filteredOn(v -> v instanceof Validated.ValidEvent)
                    .extracting(v -> ((Validated.ValidEvent) v).event().eventId()).containsExactly("e2");
            f.tick(T0 + 32 * MIN);
            assertThat(f.sessionLines()).containsExactlyInAnyOrder(line(onPartition0, T0, T0, 1),
                    line(elsewhere, T0, T0, 1));
        }
    }

    /** A user id that Kafka's default partitioner puts on {@code partition} of {@code count}. */
    static String userOnPartition(int partition, int count) {
        for (int i = 0; ; i++) {
            String user = "u" + i;
            byte[] key = user.getBytes(StandardCharsets.UTF_8);
            if (org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                    % count == partition) {
                return user;
            }
        }
    }

    // ---------------------------------------------------------------- finality

    @Test
    void sessionIsFinalExactlyAtGapPlusGraceAndEmittedOnce() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).page("https://shop.example.com/a?x=1").json());
            f.send(ev("e2", "u1", T0 + 10 * MIN).json());
            f.tick(T0 + 42 * MIN - 1);
            assertThat(f.sessions.isEmpty()).isTrue();
            f.tick(T0 + 42 * MIN);
            TestRecord<String, String> r = f.sessions.readRecord();
            assertThat(r.key()).isEqualTo("u1");
            assertThat(r.timestamp()).isEqualTo(WALL0.toEpochMilli());
            assertThat(r.value()).isEqualTo("{\"session_id\":\"" + SessionSummarizer.sessionId("u1", T0, "e1") + "\","
                    + "\"user_id\":\"u1\",\"session_start\":\"2026-11-24T11:00:00.000Z\","
                    + "\"session_end\":\"2026-11-24T11:10:00.000Z\",\"duration_ms\":600000,\"event_count\":2,"
                    + "\"page_views\":1,\"purchases\":0,\"revenue\":0.00,\"landing_page\":\"/a\",\"exit_page\":\"/a\","
                    + "\"landing_category\":null,\"country\":null,\"segment\":null,\"utm_source\":null,"
                    + "\"utm_medium\":null,\"utm_campaign\":null,\"is_bounce\":false,"
                    + "\"closed_at\":\"2026-11-24T12:00:00.000Z\"}");
            // The ticks' own sessions are due 32 min later.
            assertThat(f.sessions.isEmpty()).isTrue();
            f.tick(T0 + 50 * MIN);
            f.send(ev("e9", "u2", T0 + 50 * MIN).json());
            assertThat(f.sessions.isEmpty()).isTrue();
            assertThat(f.counter("sessionizer.sessions.emitted")).isEqualTo(1.0);
            assertThat(f.registry.get("sessionizer.finalization.lag").summary().count()).isEqualTo(1);
            assertThat(f.registry.get("sessionizer.finalization.lag").summary().totalAmount()).isZero();
        }
    }

    @Test
    void outOfOrderEventWithinGraceExtendsTheOpenSession() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "u1", T0 + 10 * MIN).json());
            f.tick(T0 + 41 * MIN);
            f.send(ev("e3", "u1", T0 + 11 * MIN).json());  // after the gap, within the grace
            f.send(ev("e0", "u1", T0 - 5 * MIN).json());   // before the start, still open
            f.tick(T0 + 42 * MIN);
            assertThat(f.sessions.isEmpty()).isTrue();
            f.tick(T0 + 43 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0 - 5 * MIN, T0 + 11 * MIN, 4));
            assertThat(f.late.isEmpty()).isTrue();
        }
    }

    // ---------------------------------------------------------------- duplicates

    @Test
    void duplicatesWithinTheWindowAreDroppedWhateverTheirFields() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e1", "u1", T0 + 5 * MIN).purchase("10.00").json());
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(1.0);
            f.tick(T0 + 60 * MIN);                              // stream time - first ts == window
            f.send(ev("e1", "u1", T0).json());
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(2.0);
            assertThat(f.late.isEmpty()).isTrue();
            // Past the window the copy is an event again: here a too-late one.
            f.tick(T0 + 60 * MIN + 1);
            f.send(ev("e1", "u1", T0).json());
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(2.0);
            assertThat(f.lateEventIds()).containsExactly("e1");
            List<JsonNode> s = f.sessionValues();
            assertThat(s).extracting(Fixture::line).containsExactly(line("u1", T0, T0, 1));
            assertThat(s.get(0).get("revenue").decimalValue()).isEqualByComparingTo("0");
            // The same event_id of another user is not a duplicate.
            f.send(ev("e1", "u2", T0 + 61 * MIN).json());
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(2.0);
            // u1's e1, the two ticks, u2's e1
            assertThat(f.counter("sessionizer.events.accepted")).isEqualTo(4.0);
        }
    }

    @Test
    void copyOfATooLateFirstCopyIsADuplicateNotLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.tick(T0 + 40 * MIN);
            f.send(ev("late1", "u1", T0 + MIN).json());
            f.send(ev("late1", "u1", T0 + MIN).json());
            assertThat(f.lateEventIds()).containsExactly("late1");
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(1.0);
            assertThat(f.counter("sessionizer.events.late")).isEqualTo(1.0);
        }
    }

    @Test
    void everyValidRecordAdvancesStreamTimeEvenADuplicate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e1", "u1", T0 + 32 * MIN).json());
            assertThat(f.streamTime()).isEqualTo(T0 + 32 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1));
        }
    }

    // ---------------------------------------------------------------- lateness

    @Test
    void eventBelongingToAFinalSessionIsLateAndKeepsItsOriginalBytes() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "u1", T0 + 10 * MIN).json());
            f.tick(T0 + 42 * MIN);
            String lateJson = "{ \"user_id\" : \"u1\", \"event_id\":\"e3\",\"ts\":\"2026-11-24T11:05:00.000+00:00\","
                    + "\"type\":\"click\",\"extra\":[1] }";
            f.send("not-u1", lateJson);
            TestRecord<String, String> r = f.late.readRecord();
            assertThat(r.key()).isEqualTo("u1");
            assertThat(r.value()).isEqualTo(lateJson);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0 + 10 * MIN, 2));
        }
    }

    /** Replayed old data: DLQ and late records must outlive their topics' retention like sessions do. */
    @Test
    void lateAndDlqRecordsAreStampedWithTheWallClockNotTheInputsOldTimestamp() {
        try (Fixture f = new Fixture(RULES, dir)) {
            long old = T0 - Duration.ofDays(30).toMillis();
            f.send(ev("e1", "u1", T0).json());
            f.tick(T0 + 42 * MIN);
            f.events.pipeInput(new TestRecord<>("u1".getBytes(StandardCharsets.UTF_8),
                    ev("e0", "u1", T0 - MIN).json().getBytes(StandardCharsets.UTF_8), new RecordHeaders(), old));
            f.events.pipeInput(new TestRecord<>(KEY, "not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders(),
                    old));
            assertThat(f.late.readRecord().timestamp()).isEqualTo(Fixture.WALL0.toEpochMilli());
            assertThat(f.dlq.readRecord().timestamp()).isEqualTo(Fixture.WALL0.toEpochMilli());
        }
    }

    @Test
    void eventExtendingAFinalSessionAfterItsEndIsLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "u1", T0 + 10 * MIN).json());
            f.tick(T0 + 42 * MIN);
            f.send(ev("e3", "u1", T0 + 40 * MIN).json());     // exactly the gap after e2: would extend
            f.send(ev("e4", "u1", T0 + 40 * MIN + 1).json()); // 1 ms more: a new, open session
            assertThat(f.lateEventIds()).containsExactly("e3");
            f.tick(T0 + 72 * MIN + 1);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0 + 10 * MIN, 2),
                    line("u1", T0 + 40 * MIN + 1, T0 + 40 * MIN + 1, 1));
        }
    }

    @Test
    void eventBeforeAFinalSessionIsLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0 + 60 * MIN).json());
            f.tick(T0 + 92 * MIN);
            f.send(ev("e0", "u1", T0 + 50 * MIN).json()); // would extend it before its start
            f.send(ev("e00", "u1", T0).json());           // far before: would form a session final on arrival
            assertThat(f.lateEventIds()).containsExactly("e0", "e00");
            assertThat(f.sessionLines()).containsExactly(line("u1", T0 + 60 * MIN, T0 + 60 * MIN, 1));
        }
    }

    @Test
    void eventJoiningAFinalSessionToAnOpenOneIsLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "u1", T0 + 45 * MIN).json());  // finalizes [e1]; opens [e2]
            f.send(ev("e3", "u1", T0 + 25 * MIN).json());  // within the gap of both
            assertThat(f.lateEventIds()).containsExactly("e3");
            f.tick(T0 + 77 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1),
                    line("u1", T0 + 45 * MIN, T0 + 45 * MIN, 1));
        }
    }

    @Test
    void eventThatWouldFormASessionFinalOnArrivalIsLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("a1", "u1", T0).json());
            f.tick(T0 + 100 * MIN);
            f.send(ev("b1", "u2", T0).json());                // no state for u2 at all
            f.send(ev("a2", "u1", T0 + 68 * MIN).json());     // new session, due T0+100m == stream time
            f.send(ev("a3", "u1", T0 + 68 * MIN + 1).json()); // due 1 ms later: open
            assertThat(f.lateEventIds()).containsExactly("b1", "a2");
            f.tick(T0 + 100 * MIN + 1);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1),
                    line("u1", T0 + 68 * MIN + 1, T0 + 68 * MIN + 1, 1));
        }
    }

    @Test
    void finalContextOutlivesAnEmptyBufferSoChainedEventsCannotExtendAFinalSession() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("f", "u1", T0).json());
            f.tick(T0 + 62 * MIN);   // [f] final; 2 x gap + grace after it
            f.send(ev("b1", "u1", T0 + 31 * MIN).json()); // more than the gap after f: own session, open
            f.send(ev("b2", "u1", T0 + 5 * MIN).json());  // would join f's session to b1's
            assertThat(f.lateEventIds()).containsExactly("b2");
            f.tick(T0 + 63 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1),
                    line("u1", T0 + 31 * MIN, T0 + 31 * MIN, 1));
        }
    }

    @Test
    void insertedEventCanSplitAnOpenSessionUnderTheCampaignRule() {
        try (Fixture f = new Fixture(RULES.withSplitOnCampaign(true), dir)) {
            f.send(ev("a", "u1", T0).utm("google", "cpc", "x").json());
            f.send(ev("c", "u1", T0 + 10 * MIN).json());
            f.send(ev("b", "u1", T0 + 5 * MIN).utm("mail", null, "y").json());
            f.tick(T0 + 42 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0, 1),
                    line("u1", T0 + 5 * MIN, T0 + 10 * MIN, 2));
            assertThat(f.late.isEmpty()).isTrue();
        }
    }

    // ---------------------------------------------------------------- optional split rules

    @Test
    void campaignSplitGivesDistinctIdsToSessionsStartingAtTheSameTs() {
        try (Fixture f = new Fixture(RULES.withSplitOnCampaign(true), dir)) {
            f.send(ev("b", "u1", T0).utm("bing", "cpc", "y").json());
            f.send(ev("a", "u1", T0).utm("google", "cpc", "x").json());
            f.send(ev("c", "u1", T0 + MIN).json());
            f.tick(T0 + 33 * MIN);
            List<JsonNode> s = f.sessionValues();
            assertThat(s).extracting(Fixture::line).containsExactly(line("u1", T0, T0, 1),
                    line("u1", T0, T0 + MIN, 2));
            assertThat(s.get(0).get("session_id").asText()).isEqualTo(SessionSummarizer.sessionId("u1", T0, "a"));
            assertThat(s.get(1).get("session_id").asText()).isEqualTo(SessionSummarizer.sessionId("u1", T0, "b"));
            assertThat(s.get(0).get("utm_source").asText()).isEqualTo("google");
            assertThat(s.get(1).get("utm_source").asText()).isEqualTo("bing");
            assertThat(s.get(1).get("utm_campaign").asText()).isEqualTo("y");
        }
    }

    @Test
    void dayBoundarySplitsAtLocalMidnightInTheZone() {
        try (Fixture f = new Fixture(RULES.withDayBoundaryZone(ZoneId.of("Europe/Berlin")), dir)) {
            long midnightBerlin = Instant.parse("2026-11-24T23:00:00Z").toEpochMilli();
            f.send(ev("e1", "u1", midnightBerlin - MIN).json());
            f.send(ev("e2", "u1", midnightBerlin).json());
            f.send(ev("e3", "u1", midnightBerlin + MIN).json());
            f.tick(midnightBerlin + 33 * MIN);
            assertThat(f.sessionLines()).containsExactly(line("u1", midnightBerlin - MIN, midnightBerlin - MIN, 1),
                    line("u1", midnightBerlin, midnightBerlin + MIN, 2));
        }
    }

    // ---------------------------------------------------------------- enrichment

    @Test
    void enrichmentUsesTheLookupsAppliedWhenTheSessionBecomesFinal() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.users.pipeInput("u1", "{\"user_id\":\"u1\",\"country\":\"DE\",\"segment\":\"gold\",\"x\":[1]}");
            f.pages.pipeInput("/p/42", "{\"path\":\"/p/42\",\"category\":\"shoes\",\"title\":\"Shoes\"}");
            f.send(ev("e1", "u1", T0).page("https://shop.example.com/p/42?ref=mail#top").json());
            f.send(ev("e2", "u1", T0 + MIN).page("/cart").json());
            f.users.pipeInput("u1", "{\"user_id\":\"u1\",\"country\":\"FR\",\"segment\":\"silver\"}");
            f.tick(T0 + 33 * MIN);
            JsonNode s = f.sessionValues().get(0);
            assertThat(s.get("landing_page").asText()).isEqualTo("/p/42");
            assertThat(s.get("exit_page").asText()).isEqualTo("/cart");
            assertThat(s.get("landing_category").asText()).isEqualTo("shoes");
            assertThat(s.get("country").asText()).isEqualTo("FR");
            assertThat(s.get("segment").asText()).isEqualTo("silver");

            f.pages.pipeInput("/p/42", (String) null);
            f.users.pipeInput("u1", "not json");
            f.users.pipeInput("u2", "{\"country\":\"US\"}");
            f.send(ev("e3", "u1", T0 + 100 * MIN).page("/p/42").json());
            f.send(ev("e4", "u2", T0 + 100 * MIN).json());
            f.tick(T0 + 133 * MIN);
            List<JsonNode> later = f.sessionValues();
            assertThat(later).hasSize(3); // u1, u2 and the first tick's user
            JsonNode u1 = later.stream().filter(n -> n.get("user_id").asText().equals("u1")).findFirst().orElseThrow();
            assertThat(u1.get("landing_page").asText()).isEqualTo("/p/42");
            assertThat(u1.get("landing_category").isNull()).isTrue();
            assertThat(u1.get("country").isNull()).isTrue();
            assertThat(u1.get("segment").isNull()).isTrue();
            JsonNode u2 = later.stream().filter(n -> n.get("user_id").asText().equals("u2")).findFirst().orElseThrow();
            assertThat(u2.get("country").asText()).isEqualTo("US");
            assertThat(u2.get("segment").isNull()).isTrue();
            assertThat(u2.get("landing_page").isNull()).isTrue();
        }
    }

    /** The sessionize step caches lookups, unknown ones too: a later profile or page must still be seen. */
    @Test
    void aLookupReadAsUnknownIsReadAgainOnceItsStoreChanges() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).page("/p/7").json());
            f.tick(T0 + 33 * MIN);
            JsonNode before = sessionOf(f.sessionValues(), "u1");
            assertThat(before.get("country").isNull()).isTrue();
            assertThat(before.get("landing_category").isNull()).isTrue();

            f.users.pipeInput("u1", "{\"country\":\"NL\",\"segment\":\"new\"}");
            f.pages.pipeInput("/p/7", "{\"path\":\"/p/7\",\"category\":\"books\"}");
            f.send(ev("e2", "u1", T0 + 100 * MIN).page("/p/7").json());
            f.tick(T0 + 133 * MIN);
            JsonNode after = sessionOf(f.sessionValues(), "u1");
            assertThat(after.get("country").asText()).isEqualTo("NL");
            assertThat(after.get("segment").asText()).isEqualTo("new");
            assertThat(after.get("landing_category").asText()).isEqualTo("books");
        }
    }

    private static JsonNode sessionOf(List<JsonNode> sessions, String user) {
        return sessions.stream().filter(n -> n.get("user_id").asText().equals(user)).findFirst().orElseThrow();
    }

    // ---------------------------------------------------------------- stream time: idle advance, replay, restart

    @Test
    void idleAdvanceClosesSessionsWhenTrafficStopsWithoutJumpingToTheWallClock() {
        try (Fixture f = new Fixture(RULES, dir)) {
            idleAdvanceClosesTheSession(f);
        }
    }

    @Test
    void aCaughtUpPartitionIdlesExactlyAsWithoutKnowingTheLag() {
        FakeLag lag = new FakeLag().set(EVENTS_0, 0);
        try (Fixture f = new Fixture(RULES, dir, WALL0, null, lag)) {
            idleAdvanceClosesTheSession(f);
        }
        // The repartition topic's lag is not asked: the marks of the sources say whether they are behind.
        assertThat(lag.asked).containsExactly(EVENTS_0);
    }

    private static void idleAdvanceClosesTheSession(Fixture f) {
        f.send(ev("e1", "u1", T0).json());
        f.send(ev("e2", "u1", T0 + 10 * MIN).json());
        f.advanceWallClock(Duration.ofSeconds(30));         // idle only from now on
        assertThat(f.streamTime()).isEqualTo(T0 + 10 * MIN);
        f.advanceWallClock(Duration.ofSeconds(1));
        assertThat(f.streamTime()).isEqualTo(T0 + 10 * MIN + 1000);
        f.advanceWallClock(Duration.ofMinutes(32).minusSeconds(1).minusMillis(1));
        assertThat(f.streamTime()).isEqualTo(T0 + 42 * MIN - 1);
        assertThat(f.sessions.isEmpty()).isTrue();
        f.advanceWallClock(Duration.ofMillis(1));
        assertThat(f.streamTime()).isEqualTo(T0 + 42 * MIN);
        JsonNode s = f.sessionValues().get(0);
        assertThat(Fixture.line(s)).isEqualTo(line("u1", T0, T0 + 10 * MIN, 2));
        assertThat(s.get("closed_at").asText()).isEqualTo("2026-11-24T12:32:30.000Z");
    }

    @Test
    void aPartitionWithRecordsStillToConsumeIsNotIdle() {
        FakeLag lag = new FakeLag().set(EVENTS_0, 0);
        try (Fixture f = new Fixture(RULES, dir, WALL0, null, lag)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e2", "u1", T0 + 10 * MIN).json());
            // A backlog on the events partition: nothing processed for hours of wall clock, yet not idle.
            lag.set(EVENTS_0, 500);
            f.advanceWallClock(Duration.ofSeconds(30));
            f.advanceWallClock(Duration.ofHours(2));
            assertThat(f.streamTime()).isEqualTo(T0 + 10 * MIN);
            assertThat(f.sessions.isEmpty()).isTrue();
            // The backlog's next event of u1 continues its open session: not late.
            f.send(ev("e3", "u1", T0 + 20 * MIN).json());
            // A few records still to consume count the same (the partition's marks say it is behind, too).
            lag.set(EVENTS_0, 3);
            f.advanceWallClock(Duration.ofHours(1));                       // WALL0 + 3h0m30s
            assertThat(f.streamTime()).isEqualTo(T0 + 20 * MIN);
            assertThat(f.sessions.isEmpty()).isTrue();
            // Caught up: idle from the last punctuation that saw a lag, plus idle-advance-after, then as ever.
            lag.set(EVENTS_0, 0);
            f.advanceWallClock(Duration.ofSeconds(30));
            assertThat(f.streamTime()).isEqualTo(T0 + 20 * MIN);
            f.advanceWallClock(Duration.ofSeconds(1));
            assertThat(f.streamTime()).isEqualTo(T0 + 20 * MIN + 1000);
            f.advanceWallClock(Duration.ofMinutes(32).minusSeconds(1).minusMillis(1));
            assertThat(f.streamTime()).isEqualTo(T0 + 52 * MIN - 1);
            assertThat(f.sessions.isEmpty()).isTrue();
            f.advanceWallClock(Duration.ofMillis(1));
            assertThat(f.streamTime()).isEqualTo(T0 + 52 * MIN);
            JsonNode s = f.sessionValues().get(0);
            assertThat(Fixture.line(s)).isEqualTo(line("u1", T0, T0 + 20 * MIN, 3));
            assertThat(s.get("closed_at").asText()).isEqualTo("2026-11-24T15:33:00.000Z");
            assertThat(f.sessions.isEmpty()).isTrue();
            assertThat(f.late.isEmpty()).isTrue();
            assertThat(f.counter("sessionizer.events.late")).isZero();
        }
        assertThat(lag.asked).containsExactly(EVENTS_0);
    }

    static final TopicPartition EVENTS_0 = new TopicPartition("clickstream.events", 0);

    /** A consumer lag set by the test (unset: unknown); records which partitions were asked for. */
    static final class FakeLag implements InputLag {
        final Map<TopicPartition, Long> lags = new HashMap<>();
        final Set<TopicPartition> asked = new HashSet<>();

        FakeLag set(TopicPartition tp, long lag) {
            lags.put(tp, lag);
            return this;
        }

        @Override
        public OptionalLong lag(TopicPartition tp) {
            asked.add(tp);
            Long l = lags.get(tp);
            return l == null ? OptionalLong.empty() : OptionalLong.of(l);
        }
    }

    @Test
    void replayOfOldDataIsNotCutShortByTheWallClock() {
        try (Fixture f = new Fixture(RULES, dir)) {
            long yearAgo = T0 - Duration.ofDays(365).toMillis();
            for (int i = 0; i < 10; i++) {
                f.send(ev("e" + i, "u1", yearAgo + i * 20 * MIN).json());
                f.advanceWallClock(Duration.ofSeconds(10));
            }
            f.advanceWallClock(Duration.ofSeconds(19));
            assertThat(f.streamTime()).isEqualTo(yearAgo + 180 * MIN);
            assertThat(f.sessions.isEmpty()).isTrue();
            f.advanceWallClock(Duration.ofSeconds(1).plusMinutes(32));
            assertThat(f.sessionLines()).containsExactly(line("u1", yearAgo, yearAgo + 180 * MIN, 10));
        }
    }

    @Test
    void streamTimeAndStateSurviveARestartAndDowntimeDoesNotCount(@TempDir Path kept) {
        Fixture f1 = new Fixture(RULES, dir, WALL0, kept);
        f1.send(ev("e1", "u1", T0).json());
        f1.send(ev("e2", "u1", T0 + 10 * MIN).json());
        f1.advanceWallClock(Duration.ofSeconds(40));
        assertThat(f1.streamTime()).isEqualTo(T0 + 10 * MIN + 10_000);
        f1.close();

        try (Fixture f2 = new Fixture(RULES, dir, WALL0.plus(Duration.ofHours(10)), kept)) {
            assertThat(f2.streamTime()).isEqualTo(T0 + 10 * MIN + 10_000);
            // Idleness counts from the task's first punctuation after the restart, not from before it.
            f2.advanceWallClock(Duration.ofSeconds(1));
            f2.advanceWallClock(Duration.ofSeconds(30));
            assertThat(f2.streamTime()).isEqualTo(T0 + 10 * MIN + 10_000);
            f2.advanceWallClock(Duration.ofSeconds(1));
            assertThat(f2.streamTime()).isEqualTo(T0 + 10 * MIN + 11_000);
            f2.send(ev("e1", "u1", T0).json());              // still a duplicate
            f2.send(ev("e3", "u1", T0 + 20 * MIN).json());   // continues the open session
            assertThat(f2.counter("sessionizer.events.duplicate")).isEqualTo(1.0);
            assertThat(f2.gauge("sessionizer.sessions.open")).isEqualTo(1.0);
            f2.advanceWallClock(Duration.ofSeconds(30).plusMinutes(32));
            assertThat(f2.streamTime()).isEqualTo(T0 + 52 * MIN);
            assertThat(f2.sessionLines()).containsExactly(line("u1", T0, T0 + 20 * MIN, 3));
            assertThat(f2.gauge("sessionizer.sessions.open")).isZero();
        }
    }

    /** The dedup store's entries, without its batch heads. */
    private static List<org.apache.kafka.streams.KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> dedupIds(
            Fixture f) {
        List<org.apache.kafka.streams.KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> all =
                f.storeContents(SessionizerTopology.DEDUP_IDS_STORE);
        return all.stream().filter(kv -> kv.key.get()[0] == 0).toList();
    }

    private static long dedupBatches(Fixture f) {
        List<org.apache.kafka.streams.KeyValue<org.apache.kafka.common.utils.Bytes, byte[]>> all =
                f.storeContents(SessionizerTopology.DEDUP_IDS_STORE);
        return all.stream().filter(kv -> kv.key.get()[0] == DedupStore.HEAD).count();
    }

    // ---------------------------------------------------------------- state retention, metrics, interactive query

    @Test
    void storesAreEmptyOnceSessionsCloseAndFinalContextsAndDedupEntriesExpire() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).page("/").json());
            f.send(ev("e2", "u1", T0 + MIN).json());
            f.send(ev("e3", "u2", T0 + 2 * MIN).json());
            f.advanceWallClock(Duration.ofSeconds(1));                    // gauges follow the punctuation
            assertThat(f.gauge("sessionizer.sessions.open")).isEqualTo(2.0);
            assertThat(dedupIds(f)).hasSize(3);
            // One batch per commit, and the driver commits after every record.
            assertThat(dedupBatches(f)).isEqualTo(3);
            // Sessions this short keep their events inline in the header.
            assertThat(f.<Object, Object>storeContents(SessionizerTopology.SESSION_EVENTS_STORE)).isEmpty();

            // Idle from WALL0+30s: stream time = T0+2m + elapsed.
            f.advanceWallClock(Duration.ofSeconds(29).plusMinutes(33));   // stream time T0+35m
            assertThat(f.sessionLines()).containsExactly(line("u1", T0, T0 + MIN, 2), line("u2", T0 + 2 * MIN,
                    T0 + 2 * MIN, 1));
            assertThat(f.gauge("sessionizer.sessions.open")).isZero();
            // Final contexts remain (for lateness): read as of the stored stream time, no session is open. (The
            // headers themselves were not written again when their sessions were emitted.)
            List<org.apache.kafka.streams.KeyValue<String, UserHeader>> states =
                    f.storeContents(SessionizerTopology.SESSIONS_STORE);
            assertThat(states).hasSize(2);
            long stored = f.streamTime();
            assertThat(states).allSatisfy(kv -> assertThat(kv.value.settledAt(stored, RULES).open).isEmpty());
            assertThat(states).allSatisfy(kv -> assertThat(kv.value.lastFinal).isNotNull());
            assertThat(f.<Object, Object>storeContents(SessionizerTopology.SESSION_EVENTS_STORE)).isEmpty();

            f.advanceWallClock(Duration.ofMinutes(26));                   // stream time T0+61m: e1 expires
            assertThat(dedupIds(f)).hasSize(2);
            assertThat(dedupBatches(f)).isEqualTo(2);
            f.advanceWallClock(Duration.ofMinutes(1).plusMillis(1));      // T0+62m+1ms: all three expired
            assertThat(dedupIds(f)).isEmpty();
            assertThat(dedupBatches(f)).isZero();

            // u1's context expires at its last ts + 2 x gap + grace + max duration.
            long u1Expiry = T0 + MIN + 62 * MIN + Duration.ofHours(12).toMillis();
            f.advanceWallClock(Duration.ofMillis(u1Expiry - 1 - f.streamTime()));
            assertThat(f.<Object, Object>storeContents(SessionizerTopology.SESSIONS_STORE)).hasSize(2);
            f.advanceWallClock(Duration.ofMillis(1));
            assertThat(f.<String, UserHeader>storeContents(SessionizerTopology.SESSIONS_STORE))
                    .extracting(kv -> kv.key).containsExactly("u2");
            f.advanceWallClock(Duration.ofMinutes(1));
            assertThat(f.<Object, Object>storeContents(SessionizerTopology.SESSIONS_STORE)).isEmpty();
            // Only the stream time and the largest ts of the direct records: no ledger left once all is confirmed.
            assertThat(f.<String, Object>storeContents(SessionizerTopology.STREAM_TIME_STORE)).extracting(kv -> kv.key)
                    .containsExactlyInAnyOrder(SessionizeProcessor.STREAM_TIME_KEY, SessionizeProcessor.DIRECT_MAX_KEY);
            assertThat(f.sessions.isEmpty()).isTrue();
        }
    }

    @Test
    void everyValidEventIsAcceptedDuplicateOrLate() {
        try (Fixture f = new Fixture(RULES, dir)) {
            f.send(ev("e1", "u1", T0).json());
            f.send(ev("e1", "u1", T0).json());        // duplicate
            f.send(ev("e2", "u1", T0 + MIN).json());
            f.send(ev("e3", "u2", T0 + 40 * MIN).json());
            f.send(ev("e4", "u1", T0 + 2 * MIN).json()); // late
            f.send("u1", "{}");                          // invalid
            f.send("u1", null);                          // null
            f.advanceWallClock(Duration.ofHours(1));
            List<JsonNode> sessions = f.sessionValues();
            int inSessions = sessions.stream().mapToInt(n -> n.get("event_count").asInt()).sum();
            assertThat(inSessions).isEqualTo(3);
            assertThat(f.counter("sessionizer.events.accepted")).isEqualTo(3.0);
            assertThat(f.counter("sessionizer.events.duplicate")).isEqualTo(1.0);
            assertThat(f.counter("sessionizer.events.late")).isEqualTo(1.0);
            assertThat(f.invalidCount("missing_field")).isEqualTo(1.0);
            assertThat(f.counter("sessionizer.events.null")).isEqualTo(1.0);
            assertThat(f.counter("sessionizer.sessions.emitted")).isEqualTo(2.0);
            assertThat(f.lateEventIds()).containsExactly("e4");
            assertThat(f.dlq.readRecordsToList()).hasSize(1);
        }
    }

    @Test
    void openSessionsAreComputedFromTheStoreWithoutClosedAt() {
        try (Fixture f = new Fixture(RULES.withSplitOnCampaign(true), dir)) {
            f.users.pipeInput("u1", "{\"country\":\"DE\",\"segment\":\"gold\"}");
            f.send(ev("a", "u1", T0).page("/x").utm("google", null, null).json());
            f.send(ev("b", "u1", T0 + MIN).purchase("2.50").utm("bing", null, null).json());
            KeyValueStore<String, UserHeader> store = f.driver.getKeyValueStore(SessionizerTopology.SESSIONS_STORE);
            Enrichment enrichment = new Enrichment(f.driver.getKeyValueStore(SessionizerTopology.PROFILES_STORE),
                    f.driver.getKeyValueStore(SessionizerTopology.PAGES_STORE), JsonSerde.newMapper());
            List<Session> open = OpenSessionsQuery.openSessions("u1", store.get("u1"), f.streamTime(), RULES,
                    enrichment);
            assertThat(open).hasSize(2);
            assertThat(open.get(0).sessionId()).isEqualTo(SessionSummarizer.sessionId("u1", T0, "a"));
            assertThat(open.get(0).landingPage()).isEqualTo("/x");
            assertThat(open.get(0).country()).isEqualTo("DE");
            assertThat(open.get(0).closedAt()).isNull();
            assertThat(open.get(1).revenue()).isEqualByComparingTo("2.50");
            assertThat(open.get(1).revenue().scale()).isEqualTo(2);
            assertThat(store.get("nobody")).isNull();

            // Stream time passes both sessions: they are emitted, and no longer open, though the stored header
            // (not written again at their emission) still lists them.
            f.send(ev("z", "u9", T0 + 40 * MIN).json());
            assertThat(f.sessionLines()).hasSize(2);
            assertThat(store.get("u1").open).hasSize(2);
            assertThat(OpenSessionsQuery.openSessions("u1", store.get("u1"), f.streamTime(), RULES, enrichment))
                    .isEmpty();
        }
    }

    // ---------------------------------------------------------------- naming

    @Test
    void everyProcessorStoreAndInternalTopicIsNamedExplicitly() {
        Topology topology = new SessionizerTopology(Topics.defaults(), RULES, new SimpleMeterRegistry()).build();
        String description = topology.describe().toString();
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-", "KSTORE-");
        assertThat(description).contains("events-by-user-repartition", "stream-time", "dedup", "session-events",
                "user-profiles", "page-info");
        // And a driver started with the naming check configured accepts it (it is also enforced at build time).
        java.util.Properties props = new java.util.Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "naming");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        new org.apache.kafka.streams.TopologyTestDriver(topology, props).close();
    }

    @Test
    void theNamingCheckIsActiveInTheBuildersConfig() {
        org.apache.kafka.streams.StreamsBuilder builder =
                new org.apache.kafka.streams.StreamsBuilder(SessionizerTopology.namingCheckedConfig());
        builder.stream("in").groupByKey().count(); // generated repartition/changelog names
        org.assertj.core.api.Assertions.assertThatThrownBy(builder::build)
                .isInstanceOf(org.apache.kafka.streams.errors.TopologyException.class);
    }

    @Test
    void rulesValidationNamesTheSetting() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SessionRules(Duration.ofMinutes(-1),
                        RULES.maxDuration(), RULES.grace(), RULES.idleAdvanceAfter(), RULES.dedupWindow(),
                        RULES.maxFutureSkew(), false, java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sessionizer.inactivity-gap must be positive, was PT-1M");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SessionRules(RULES.inactivityGap(),
                        RULES.maxDuration(), Duration.ofSeconds(-1), RULES.idleAdvanceAfter(), RULES.dedupWindow(),
                        RULES.maxFutureSkew(), false, java.util.Optional.empty()))
                .hasMessage("sessionizer.grace must not be negative, was PT-1S");
        new SessionRules(RULES.inactivityGap(), RULES.maxDuration(), Duration.ZERO, RULES.idleAdvanceAfter(),
                Duration.ZERO, RULES.maxFutureSkew(), false, java.util.Optional.empty());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SessionRules(RULES.inactivityGap(),
                        Duration.ofSeconds(Long.MAX_VALUE), RULES.grace(), RULES.idleAdvanceAfter(),
                        RULES.dedupWindow(), RULES.maxFutureSkew(), false, java.util.Optional.empty()))
                .hasMessageStartingWith("sessionizer.max-duration is too large");
        assertThat(SessionRules.defaults()).isEqualTo(new SessionRules(Duration.ofMinutes(30), Duration.ofHours(12),
                Duration.ofMinutes(2), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofHours(1), false,
                java.util.Optional.empty()));
    }
}
