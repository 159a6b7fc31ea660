package com.acme.clickstream.sessionizer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad session rule stops the packaged service at start, with a message naming the setting, and
 * before it touches Kafka (none is configured here: the start must fail on the value alone).
 */
class ConfigValidationIT {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "SESSIONIZER_INACTIVITY_GAP, PT-1M, sessionizer.inactivity-gap, must be positive",
            "SESSIONIZER_MAX_DURATION, PT0S, sessionizer.max-duration, must be positive",
            "SESSIONIZER_DAY_BOUNDARY_ZONE, Mars/Olympus, sessionizer.day-boundary-zone, not a known IANA time zone",
            "SESSIONIZER_GRACE, soon, sessionizer.grace, not an ISO-8601 duration",
            "SESSIONIZER_STREAM_THREAD_MAX_REPLACEMENTS, -1, sessionizer.stream-thread.max-replacements, must be at least 0",
            "SESSIONIZER_API_MAX_DAYS, 0, sessionizer.api.max-days, must be at least 1",
            "SESSIONIZER_HEADER_CACHE_PER_TASK, 0, sessionizer.header-cache.per-task, must be at least 1",
    })
    void badValueStopsTheStart(String envVar, String value, String property, String reason) throws Exception {
        try (AppProcess app = AppProcess.start("bad-config", Map.of(envVar, value,
                // Nothing listens there: a start that got past validation would hang waiting for topics.
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"))) {
            int exit = app.waitForExit(Duration.ofSeconds(60));
            String output = app.output();
            assertThat(exit).as(output).isNotZero();
            assertThat(output).contains(property).contains(value).contains(reason);
        }
    }
}
