package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import com.acme.clickstream.loadtest.generate.EventPlanner;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.model.Topics;
import com.acme.clickstream.loadtest.verify.Verifier;
import com.acme.clickstream.loadtest.verify.VerifyConfig;
import com.acme.clickstream.loadtest.verify.VerifyReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The contract's rule (docs/contract.md, "Partitions"): whether a record arrived keyed by its user or had to be
 * re-keyed must not change any outcome, also when a backlog is drained from a cold start. The sessionizer is
 * stopped, a dataset with many mis-keyed records (no key or another user's id: they take the repartition topic)
 * is sent as a backlog spanning many inactivity gaps of event time, then the sessionizer starts and drains it. The
 * outcome must be the one of live processing in send order (the reference of verify): the same sessions, and on
 * the late topic exactly what was sent too late; a mis-keyed record must not become late.
 */
class ColdBacklogIT extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records of the backlog: sent at SEND_RATE/s, so in 3 s of wall time. */
    private static final long EVENTS = 3000;
    private static final double SEND_RATE = 1000;
    /** Event seconds per wall second: 3000 records span 600 s of event time, 60 inactivity gaps (PT10S). */
    private static final double BACKLOG_TIME_SCALE = 200;

    @Test
    void backlogWithMiskeyedRecordsDrainedFromAColdStartGivesTheSessionsOfLiveProcessing() throws Exception {
        // Whatever an earlier test sent is consumed: the backlog is this dataset alone.
        awaitEventsConsumed();
        // A graceful stop (SIGTERM): Kafka Streams commits and closes its stores cleanly, so the restart is a
        // cold start on a backlog and nothing else; crash recovery is SessionizerCrashIT's subject.
        log("stopping the sessionizer (SIGTERM)");
        stack.sessionizer().stop();
        assertThat(stack.sessionizer().isAlive()).as("sessionizer running").isFalse();
        long before = eventsInTopic();
        long committedBefore = committedEvents();

        // The mix with 5 % mis-keyed records (half without a key, half with another user's id) and the
        // hard cases (too late into final sessions, stale duplicates).
        Ratios ratios = new Ratios(0.02, 0.05, 0.01, 0.01, 0.05, 0.005).withHardCases(0.03, 0.03);
        SentLog sent = Generator.run(dataset(EVENTS, 7007, ratios, SEND_RATE, BACKLOG_TIME_SCALE), EndToEndTest::log);
        log("sent as a backlog: " + sent.byKind());
        long miskeyed = sent.byKind().get(EventPlanner.MISKEYED);
        long sentTooLate = sent.byKind().get(EventPlanner.LATE) + sent.byKind().get(EventPlanner.LATE_INTO_SESSION);
        assertThat(sent.events()).as("records sent").isEqualTo(EVENTS);
        assertThat(miskeyed).as("mis-keyed records sent").isBetween(149L, 150L);
        assertThat(sent.byKind().get(EventPlanner.LATE_INTO_SESSION)).as("too late into final sessions sent").isPositive();
        assertThat(sent.lastEventTime().toEpochMilli() - sent.firstEventTime().toEpochMilli())
                .as("event time of the backlog (ms): many inactivity gaps")
                .isGreaterThan(50 * SharedStack.RULES.inactivityGap().toMillis());
        assertThat(eventsInTopic()).as("records on the events topic: the whole backlog").isEqualTo(before + EVENTS);
        assertThat(committedEvents()).as("offsets committed by the sessionizer's group: nothing consumed yet")
                .isEqualTo(committedBefore);

        log("starting the sessionizer on the backlog of " + EVENTS + " records");
        long restarted = System.nanoTime();
        stack.sessionizer().start();
        stack.awaitReady();
        awaitEventsConsumed();
        log(String.format("backlog consumed from the events topic %.1f s after the start",
                (System.nanoTime() - restarted) / 1e9));

        // Settled: what the pipeline produced matches, or a minute has passed (the repartition topic and the last
        // sessions, closed by idle advance, follow the events topic's offsets within seconds).
        VerifyReport settled = Verifier.verify(VerifyConfig.of(sent.outDir(), stack.jdbcUrl(), stack.bootstrapServers())
                .withRules(SharedStack.RULES).withPartitions(SharedStack.EVENT_PARTITIONS)
                .withAwait(Duration.ofMinutes(1)));
        long miskeyedLate = miskeyedOnTheLateTopic(sent);
        log(settled.summary());
        log("mis-keyed records on the late topic: " + miskeyedLate + " of " + miskeyed);

        assertThat(settled.late()).as("too late by the reference (live processing, send order)").isEqualTo(sentTooLate);
        assertThat(settled.lateRecords()).as("records on the late topic after draining the backlog: exactly those sent"
                        + " too late (%d late + %d late_into_session); of the %d mis-keyed records sent, %d are on it;"
                        + " sessions: %d expected, %d rows, %d missing, %d extra, %d wrong",
                        sent.byKind().get(EventPlanner.LATE), sent.byKind().get(EventPlanner.LATE_INTO_SESSION),
                        miskeyed, miskeyedLate, settled.expectedSessions(), settled.actualRows(),
                        settled.missing().size(), settled.extra().size(), settled.wrong().size())
                .isEqualTo(sentTooLate);
        assertThat(miskeyedLate).as("mis-keyed records on the late topic").isZero();

        VerifyReport report = assertExactlyOnce(sent);
        assertThat(report.late()).as("too late: the isolated ones and those into final sessions").isEqualTo(sentTooLate);
    }

    /** The sum of the offsets the sessionizer's group has committed on the events topic. */
    private long committedEvents() throws Exception {
        try (Admin admin = stack.admin()) {
            return admin.listConsumerGroupOffsets(SESSIONIZER_GROUP).partitionsToOffsetAndMetadata().get().entrySet()
                    .stream().filter(e -> e.getKey().topic().equals(Topics.EVENTS) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /** How many records of the late topic are events the generator sent mis-keyed (by user_id/event_id). */
    private long miskeyedOnTheLateTopic(SentLog sent) {
        Set<String> miskeyed = new HashSet<>();
        Jsonl.forEach(sent.outDir().resolve(Jsonl.EVENTS), r -> {
            if (EventPlanner.MISKEYED.equals(r.kind())) {
                miskeyed.add(eventKey(r.value()));
            }
        });
        return Verifier.readRecords(stack.bootstrapServers(), Topics.LATE).stream()
                .filter(r -> miskeyed.contains(eventKey(r.value()))).count();
    }

    private static String eventKey(byte[] value) {
        try {
            JsonNode v = JSON.readTree(new String(value, StandardCharsets.UTF_8));
            return v.path("user_id").asText() + "/" + v.path("event_id").asText();
        } catch (Exception e) {
            return "unparseable";
        }
    }
}
