package com.acme.clickstream.sessionizer.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Event-time parsing (RFC 3339 / epoch millis) and the contract's output format. */
public final class Timestamps {

    /** Largest accepted event time: 9999-12-31T23:59:59.999Z. */
    public static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

    private static final DateTimeFormatter OUT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** Length of {@link #formatTo}'s text: {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    public static final int FORMATTED_LENGTH = 24;

    /** RFC 3339 UTC with exactly three fraction digits, e.g. {@code 2026-11-24T10:15:30.123Z}. */
    public static String format(long epochMillis) {
        char[] c = new char[FORMATTED_LENGTH];
        return formatTo(epochMillis, c) ? new String(c) : OUT.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * Writes {@link #format}'s text into {@code c} (at least {@link #FORMATTED_LENGTH} chars), for a writer that takes
     * chars without a String per timestamp. False, with nothing written, outside 0..{@link #MAX_EPOCH_MILLIS}.
     */
    public static boolean formatTo(long epochMillis, char[] c) {
        if (epochMillis < 0 || epochMillis > MAX_EPOCH_MILLIS) {
            return false;
        }
        // By hand: this runs for every field of every session emitted, and the formatter's generality costs.
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        int ms = (int) Math.floorMod(epochMillis, 86_400_000L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
        put(c, 0, date.getYear(), 4);
        c[4] = '-';
        put(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        put(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        put(c, 11, ms / 3_600_000, 2);
        c[13] = ':';
        put(c, 14, ms / 60_000 % 60, 2);
        c[16] = ':';
        put(c, 17, ms / 1000 % 60, 2);
        c[19] = '.';
        put(c, 20, ms % 1000, 3);
        c[23] = 'Z';
        return true;
    }

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    public static String format(Instant instant) {
        return OUT.format(instant);
    }

    /**
     * Parses an RFC 3339 date-time ({@code full-date "T" full-time}, offset {@code Z} or {@code ±HH:MM}; "T"
     * and "Z" case-insensitive as RFC 3339 allows). Fraction digits past milliseconds are truncated.
     *
     * @return epoch millis, or {@code Long.MIN_VALUE} when the text is not such a date-time or lies outside
     * 0..{@link #MAX_EPOCH_MILLIS}
     */
    public static long parseRfc3339(String s) {
        // Hand-written: this runs for every event, and java.time's parsers accept forms RFC 3339 does not.
        int n = s.length();
        if (n < 20) {
            return Long.MIN_VALUE;
        }
        try {
            int year = digits(s, 0, 4);
            expect(s, 4, '-');
            int month = digits(s, 5, 2);
            expect(s, 7, '-');
            int day = digits(s, 8, 2);
            char t = s.charAt(10);
            if (t != 'T' && t != 't') {
                return Long.MIN_VALUE;
            }
            int hour = digits(s, 11, 2);
            expect(s, 13, ':');
            int minute = digits(s, 14, 2);
            expect(s, 16, ':');
            int second = digits(s, 17, 2);
            int i = 19;
            int millis = 0;
            if (s.charAt(i) == '.') {
                int start = ++i;
                while (i < n && isDigit(s.charAt(i))) {
                    if (i - start < 3) {
                        millis = millis * 10 + (s.charAt(i) - '0');
                    }
                    i++;
                }
                int count = i - start;
                if (count == 0) {
                    return Long.MIN_VALUE;
                }
                for (int k = count; k < 3; k++) {
                    millis *= 10;
                }
            }
            if (i >= n) {
                return Long.MIN_VALUE;
            }
            int offsetSeconds;
            char z = s.charAt(i);
            if (z == 'Z' || z == 'z') {
                offsetSeconds = 0;
                i++;
            } else if (z == '+' || z == '-') {
                if (n - i != 6) {
                    return Long.MIN_VALUE;
                }
                int oh = digits(s, i + 1, 2);
                expect(s, i + 3, ':');
                int om = digits(s, i + 4, 2);
                if (oh > 23 || om > 59) {
                    return Long.MIN_VALUE;
                }
                offsetSeconds = (z == '-' ? -1 : 1) * (oh * 3600 + om * 60);
                i += 6;
            } else {
                return Long.MIN_VALUE;
            }
            if (i != n) {
                return Long.MIN_VALUE;
            }
            // Leap seconds (":60") are valid RFC 3339 but not representable: rejected as bad_ts.
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            long secondOfDay = LocalTime.of(hour, minute, second).toSecondOfDay();
            long epochSecond = epochDay * 86_400L + secondOfDay - offsetSeconds;
            long result = epochSecond * 1000L + millis;
            return result < 0 || result > MAX_EPOCH_MILLIS ? Long.MIN_VALUE : result;
        } catch (DateTimeException | IllegalArgumentException e) {
            return Long.MIN_VALUE;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digits(String s, int from, int count) {
        if (from + count > s.length()) {
            throw new IllegalArgumentException();
        }
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                throw new IllegalArgumentException();
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void expect(String s, int at, char c) {
        if (at >= s.length() || s.charAt(at) != c) {
            throw new IllegalArgumentException();
        }
    }
}
