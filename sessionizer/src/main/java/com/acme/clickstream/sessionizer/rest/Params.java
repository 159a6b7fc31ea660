package com.acme.clickstream.sessionizer.rest;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parsing and checking of request parameters. They arrive as strings so that a malformed value is a
 * 400 with a message, not JAX-RS' 404 for a parameter that does not convert.
 */
final class Params {
    /** The contract's limit on user_id (code points). */
    static final int MAX_USER_ID_CODE_POINTS = 256;

    private Params() {}

    static String userId(String userId) {
        if (userId == null || userId.isEmpty()) {
            throw ApiException.badRequest("userId must not be empty");
        }
        if (userId.codePointCount(0, userId.length()) > MAX_USER_ID_CODE_POINTS) {
            throw ApiException.badRequest("userId must have at most " + MAX_USER_ID_CODE_POINTS + " characters");
        }
        if (userId.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("userId must not contain U+0000");
        }
        return userId;
    }

    static int limit(String value, int defaultValue, int max) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        int limit;
        try {
            limit = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be an integer from 1 to " + max + ", was '" + value + "'");
        }
        if (limit < 1 || limit > max) {
            throw ApiException.badRequest("limit must be from 1 to " + max + ", was " + limit);
        }
        return limit;
    }

    static Optional<LocalDate> date(String name, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value.trim(), DateTimeFormatter.ISO_LOCAL_DATE));
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a date YYYY-MM-DD, was '" + value + "'");
        }
    }

    static LocalDate requiredDate(String name, String value) {
        return date(name, value).orElseThrow(() -> ApiException.badRequest(name + " is required (YYYY-MM-DD)"));
    }

    static void dateRange(Optional<LocalDate> from, Optional<LocalDate> to) {
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw ApiException.badRequest("from must not be after to");
        }
    }

    /** Inclusive UTC days of a KPI query. */
    record DayRange(LocalDate from, LocalDate to) {}

    /**
     * The days a KPI request reads: at most {@code maxDays}. A missing bound is taken {@code maxDays} from the
     * other, and with neither the range ends on {@code latestDay} (the last day with sessions, empty when there
     * are none), so that a request that named no days gets the most recent ones, never the whole table.
     */
    static Optional<DayRange> dayRange(Optional<LocalDate> from, Optional<LocalDate> to, int maxDays,
            java.util.function.Supplier<Optional<LocalDate>> latestDay) {
        dateRange(from, to);
        if (from.isPresent() && to.isPresent()) {
            long days = java.time.temporal.ChronoUnit.DAYS.between(from.get(), to.get()) + 1;
            if (days > maxDays) {
                throw ApiException.badRequest("from " + from.get() + " to " + to.get() + " spans " + days
                        + " days; at most " + maxDays + " days per request");
            }
            return Optional.of(new DayRange(from.get(), to.get()));
        }
        if (from.isPresent()) {
            return Optional.of(new DayRange(from.get(), from.get().plusDays(maxDays - 1L)));
        }
        if (to.isPresent()) {
            return Optional.of(new DayRange(to.get().minusDays(maxDays - 1L), to.get()));
        }
        return latestDay.get().map(last -> new DayRange(last.minusDays(maxDays - 1L), last));
    }

    static void instantRange(Optional<Instant> from, Optional<Instant> to) {
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw ApiException.badRequest("from must not be after to");
        }
    }

    /**
     * A lower bound: an RFC 3339 date-time, or a date meaning the start of that UTC day.
     */
    static Optional<Instant> lowerBound(String name, String value) {
        return instantOrDate(name, value, false);
    }

    /**
     * An exclusive upper bound: an RFC 3339 date-time, or a date meaning the end of that UTC day (so
     * that {@code to=2026-11-24} includes the whole day).
     */
    static Optional<Instant> upperBound(String name, String value) {
        return instantOrDate(name, value, true);
    }

    private static Optional<Instant> instantOrDate(String name, String value, boolean endOfDay) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            if (v.length() == 10) {
                LocalDate day = LocalDate.parse(v, DateTimeFormatter.ISO_LOCAL_DATE);
                return Optional.of((endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            return Optional.of(OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be an RFC 3339 date-time (2026-11-24T10:00:00Z) or a date"
                    + " (2026-11-24), was '" + value + "'");
        }
    }
}
