package com.acme.clickstream.flink.transform;

import org.slf4j.Logger;

/** At most one warning per period, saying how many were left out; a flood of bad records must not flood the log. */
final class RateLimitedLog {
    private final Logger log;
    private final long periodMs;
    private long lastLoggedAt = Long.MIN_VALUE / 2;
    private long suppressed;

    RateLimitedLog(Logger log, long periodMs) {
        this.log = log;
        this.periodMs = periodMs;
    }

    void warn(String format, Object... args) {
        long now = System.currentTimeMillis();
        if (now - lastLoggedAt < periodMs) {
            suppressed++;
            return;
        }
        if (suppressed > 0) {
            log.warn("{} similar warnings left out in the last {} ms", suppressed, now - lastLoggedAt);
        }
        log.warn(format, args);
        lastLoggedAt = now;
        suppressed = 0;
    }
}
