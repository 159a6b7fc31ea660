package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.RawSessionRecord;
import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.CollectingSink;
import com.acme.clickstream.flink.support.Sessions;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The job's pipeline in memory, through its own source and sink parameters (as apache/flink-training tests its
 * jobs): a bounded source of Kafka-like records, collecting sinks, a local mini-cluster, no broker or database.
 */
class SessionSinkJobTest {
    private static final long T0 = Instant.parse("2026-11-24T08:00:00Z").toEpochMilli();

    private static SinkJobConfig config() {
        return config(2);
    }

    private static SinkJobConfig config(int parallelism) {
        return SinkJobConfig.builder().bootstrapServers("127.0.0.1:9")
                .jdbcUrl("jdbc:postgresql://127.0.0.1:9/unused").parallelism(parallelism)
                .checkpointInterval(Duration.ofMillis(200)).dedupRetention(Duration.ofMinutes(5)).build();
    }

    private static StreamExecutionEnvironment localEnvironment() {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        return StreamExecutionEnvironment.createLocalEnvironment(conf);
    }

    @Test
    void validSessionsReachTheSinkOnceAndMalformedRecordsAndCopiesTheDeadLetters() throws Exception {
        List<SessionRow> valid = Sessions.rows("mem", 0, 50);
        List<byte[]> values = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        valid.forEach(s -> {
            values.add(Sessions.bytes(s));
            timestamps.add(T0);
        });
        values.add("{broken".getBytes(StandardCharsets.UTF_8)); // offset 50
        timestamps.add(T0);
        values.add(Sessions.bytes(valid.get(7))); // offset 51: a second copy, 1 min later in Kafka time
        timestamps.add(T0 + 60_000);

        CollectingSink<SessionRow> sessions = new CollectingSink<>("sessions");
        CollectingSink<RejectedRecord> rejected = new CollectingSink<>("rejected");
        StreamExecutionEnvironment env = localEnvironment();
        // Parallelism 1: one partition of the sessions topic reaches the job in offset order, through one source
        // subtask. The generator source instead splits its sequence between the subtasks (0-25 and 26-51 at
        // parallelism 2), so the copy at offset 51 could reach the dedup step first, and offset 7 would be the one
        // rejected (it failed so in one CI run).
        new SessionSinkJob(config(1)).build(env, new DataGeneratorSource<>(new Records(values, timestamps),
                values.size(), TypeInformation.of(RawSessionRecord.class)), sessions, rejected);
        env.execute("in-memory pipeline");

        assertThat(sessions.received()).containsExactlyInAnyOrderElementsOf(valid);
        assertThat(rejected.received()).extracting(RejectedRecord::offset, RejectedRecord::sessionId)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(50L, null),
                        org.assertj.core.groups.Tuple.tuple(51L, valid.get(7).sessionId()));
        assertThat(rejected.received()).filteredOn(r -> r.offset() == 50).singleElement()
                .satisfies(r -> assertThat(r.reason()).startsWith("malformed: "));
    }

    @Test
    void theParallelismIsTheEnvironmentsUnlessTheJobSetsIt() {
        // Under the Kubernetes operator the environment's default is spec.job.parallelism: the job keeps it.
        StreamExecutionEnvironment env = localEnvironment();
        env.setParallelism(5);
        SinkJobConfig unset = SinkJobConfig.fromArgs(new String[] {"--bootstrap-servers", "127.0.0.1:9",
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:9/unused"}, java.util.Map.of());
        assertThat(unset.parallelismSetting()).isEmpty();
        new SessionSinkJob(unset).build(env, new DataGeneratorSource<>(new Records(List.of(), List.of()), 0,
                TypeInformation.of(RawSessionRecord.class)), new CollectingSink<>("a"), new CollectingSink<>("b"));
        assertThat(env.getParallelism()).isEqualTo(5);

        StreamExecutionEnvironment env2 = localEnvironment();
        env2.setParallelism(5);
        new SessionSinkJob(config()).build(env2, new DataGeneratorSource<>(new Records(List.of(), List.of()), 0,
                TypeInformation.of(RawSessionRecord.class)), new CollectingSink<>("a"), new CollectingSink<>("b"));
        assertThat(env2.getParallelism()).as("an explicit --parallelism/PARALLELISM").isEqualTo(2);
    }

    @Test
    void everyOperatorHasANameAndAStableUid() {
        StreamExecutionEnvironment env = localEnvironment();
        new SessionSinkJob(config()).build(env, new DataGeneratorSource<>(new Records(List.of(), List.of()), 0,
                TypeInformation.of(RawSessionRecord.class)), new CollectingSink<>("a"), new CollectingSink<>("b"));
        List<String> uids = new ArrayList<>();
        for (StreamNode node : env.getStreamGraph(false).getStreamNodes()) {
            assertThat(node.getOperatorName()).as("name of node " + node.getId()).isNotBlank();
            if (node.getTransformationUID() != null) {
                uids.add(node.getTransformationUID());
            }
        }
        assertThat(uids).contains(SessionSinkJob.SOURCE_UID, SessionSinkJob.PARSE_UID, SessionSinkJob.DEDUP_UID,
                SessionSinkJob.SINK_UID, SessionSinkJob.DEAD_LETTER_UID);
    }

    /** Record i of a fixed list, at offset i of partition 0, with its Kafka timestamp. */
    private static final class Records implements GeneratorFunction<Long, RawSessionRecord> {
        private static final long serialVersionUID = 1L;
        private final ArrayList<byte[]> values;
        private final ArrayList<Long> timestamps;

        Records(List<byte[]> values, List<Long> timestamps) {
            this.values = new ArrayList<>(values);
            this.timestamps = new ArrayList<>(timestamps);
        }

        @Override
        public RawSessionRecord map(Long i) {
            int n = i.intValue();
            return new RawSessionRecord("sessions", 0, n, timestamps.get(n), null, values.get(n));
        }
    }
}
