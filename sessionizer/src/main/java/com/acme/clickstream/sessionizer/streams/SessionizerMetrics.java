package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.InvalidReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.processor.TaskId;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The service's metrics (names are fixed: dashboards use them). Per-task values are kept in maps. */
final class SessionizerMetrics {

    static final long NO_STREAM_TIME = Long.MIN_VALUE;

    final Counter accepted;
    final Counter duplicate;
    final Counter late;
    final Counter nullValues;
    final Counter emitted;
    final DistributionSummary finalizationLag;
    private final Map<InvalidReason, Counter> invalid = new EnumMap<>(InvalidReason.class);
    private final Map<TaskId, Long> openByTask = new ConcurrentHashMap<>();
    private final Map<TaskId, Long> streamTimeByTask = new ConcurrentHashMap<>();

    SessionizerMetrics(MeterRegistry registry) {
        accepted = Counter.builder("sessionizer.events.accepted")
                .description("valid events that entered a session").register(registry);
        duplicate = Counter.builder("sessionizer.events.duplicate")
                .description("duplicate copies dropped").register(registry);
        late = Counter.builder("sessionizer.events.late")
                .description("too-late events sent to the late topic").register(registry);
        nullValues = Counter.builder("sessionizer.events.null")
                .description("records with a null value, skipped").register(registry);
        emitted = Counter.builder("sessionizer.sessions.emitted")
                .description("final sessions emitted").register(registry);
        // Registered up front so that every reason shows as 0 rather than missing.
        for (InvalidReason r : InvalidReason.values()) {
            invalid.put(r, Counter.builder("sessionizer.events.invalid").tag("reason", r.code())
                    .description("invalid records sent to the DLQ").register(registry));
        }
        finalizationLag = DistributionSummary.builder("sessionizer.finalization.lag").baseUnit("milliseconds")
                .description("stream time minus the time a session became final, at emission").register(registry);
        Gauge.builder("sessionizer.sessions.open", openByTask, SessionizerMetrics::sum).strongReference(true)
                .description("open sessions on this instance").register(registry);
        Gauge.builder("sessionizer.stream.time.lag", streamTimeByTask, SessionizerMetrics::streamTimeLag)
                .strongReference(true).baseUnit("milliseconds")
                .description("wall clock minus stream time, max over local partitions").register(registry);
        // Kafka Streams reports the shared block cache's usage per store; the budget it is charged against is
        // ours, exported so that an alert compares the two (0 until the first store opened).
        Gauge.builder("sessionizer.rocksdb.memory.budget", RocksDbMemory::budgetBytes).baseUnit("bytes")
                .description("RocksDB memory budget of the instance: block cache and memtables of all stores")
                .register(registry);
    }

    void invalid(InvalidReason reason) {
        invalid.get(reason).increment();
    }

    void openSessions(TaskId task, long count) {
        openByTask.put(task, count);
    }

    void streamTime(TaskId task, long streamTime) {
        streamTimeByTask.put(task, streamTime);
    }

    void taskClosed(TaskId task) {
        openByTask.remove(task);
        streamTimeByTask.remove(task);
    }

    private static double sum(Map<TaskId, Long> m) {
        long s = 0;
        for (long v : m.values()) {
            s += v;
        }
        return s;
    }

    private static double streamTimeLag(Map<TaskId, Long> m) {
        long min = Long.MAX_VALUE;
        for (long v : m.values()) {
            if (v != NO_STREAM_TIME) {
                min = Math.min(min, v);
            }
        }
        return min == Long.MAX_VALUE ? Double.NaN : System.currentTimeMillis() - min;
    }
}
