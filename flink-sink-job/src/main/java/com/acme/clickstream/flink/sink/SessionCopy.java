package com.acme.clickstream.flink.sink;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.acme.clickstream.flink.model.SessionRow;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * How the exactly-once sink writes a batch: {@code COPY ... FROM STDIN} in PostgreSQL's binary format (its cheapest
 * way in: no per-parameter binding, no per-statement planning, and no parsing of timestamps and numbers from text),
 * made idempotent on session_id by leaving out the sessions already in the table. An idempotent write is what makes
 * {@code COMMIT PREPARED} of any leftover safe (see {@link PreparedTransactionRecovery}).
 *
 * <p>A checked write looks the batch's ids up first. Rows of the writer's own open transaction are visible to the
 * lookup, and two copies within one batch are reduced to the first, so the only conflict left is a key inserted by
 * another session that has not committed yet: COPY then waits for it (bounded by {@code lock_timeout}) and fails on
 * the primary key if it commits, and the job's restart finds the row and leaves it out. An unchecked write skips the
 * lookup, which finds nothing in steady state; a present id then fails COPY on the primary key and the whole open
 * transaction is written again, checked, from the batches its writer kept (no savepoints: a subtransaction per
 * batch would overflow PostgreSQL's subtransaction cache at 64 per transaction). No row is ever written twice: the
 * primary key stays the last word.
 */
final class SessionCopy {
    /** The binary COPY header: signature, flags (no OIDs), no header extension. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};
    private static final int COLUMNS = 19;
    private static final String UNIQUE_VIOLATION = "23505";

    private final Connection connection;
    private final CopyManager copy;
    private final PreparedStatement present;
    private final String copySql;

    SessionCopy(Connection connection, String table) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        this.present = connection.prepareStatement("select session_id from " + table + " where session_id = any(?)");
        this.copySql = "copy " + table + " (" + SessionStatements.SESSION_COLUMNS + ") from stdin (format binary)";
    }

    /** What a write did: rows handed in, rows written, and whether an unchecked write was redone checked. */
    record Written(int rows, int inserted, boolean redone) {}

    /** Writes the sessions of {@code batch} not yet in the table, looked up first. */
    Written write(Batch batch) throws SQLException, IOException {
        return write(batch, true, List.of());
    }

    /**
     * Writes {@code batch}, checked (ids looked up first) or unchecked (no lookup: COPY's own primary key check is
     * the only one). An unchecked write that meets a present id fails on the primary key, which aborts the
     * transaction: it is then rolled back and {@code transaction} (every batch the open transaction holds, this one
     * last: the caller keeps them until the prepare) is written again, checked. A checked write's conflict with
     * another session's uncommitted key is not redone: it fails the task, as before.
     */
    Written write(Batch batch, boolean checked, List<Batch> transaction) throws SQLException, IOException {
        if (checked) {
            return new Written(batch.rows, copy(batch, withoutPresent(batch)), false);
        }
        try {
            return new Written(batch.rows, copy(batch, repeated(batch)), false);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
        }
        connection.rollback();
        int rows = 0;
        int inserted = 0;
        for (Batch b : transaction) {
            rows += b.rows;
            inserted += copy(b, withoutPresent(b));
        }
        return new Written(rows, inserted, true);
    }

    private int copy(Batch batch, boolean[] skip) throws SQLException, IOException {
        int fresh = batch.rows;
        if (skip != null) {
            for (boolean s : skip) {
                fresh -= s ? 1 : 0;
            }
        }
        if (fresh == 0) {
            return 0;
        }
        CopyIn in = copy.copyIn(copySql);
        try {
            in.writeToCopy(HEADER, 0, HEADER.length);
            if (skip == null) {
                in.writeToCopy(batch.bytes, 0, batch.size);
            } else {
                // The rows to keep, in runs: one write per run rather than per row.
                int i = 0;
                while (i < batch.rows) {
                    if (skip[i]) {
                        i++;
                        continue;
                    }
                    int from = batch.start(i);
                    while (i < batch.rows && !skip[i]) {
                        i++;
                    }
                    in.writeToCopy(batch.bytes, from, batch.ends[i - 1] - from);
                }
            }
            in.writeToCopy(TRAILER, 0, TRAILER.length);
            return (int) in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** The later copies of an id within the batch (the first one is written); null when none. */
    private static boolean[] repeated(Batch batch) {
        Set<String> seen = new HashSet<>(batch.rows * 2);
        boolean[] skip = null;
        for (int i = 0; i < batch.rows; i++) {
            if (!seen.add(batch.ids[i])) {
                skip = skip == null ? new boolean[batch.rows] : skip;
                skip[i] = true;
            }
        }
        return skip;
    }

    /** Which rows to leave out (a later copy in the batch, or present in the table); null when none. */
    private boolean[] withoutPresent(Batch batch) throws SQLException {
        boolean[] skip = repeated(batch);
        Array ids = connection.createArrayOf("text", Arrays.copyOf(batch.ids, batch.rows));
        Set<String> found = new HashSet<>();
        try {
            present.setArray(1, ids);
            try (ResultSet rs = present.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        } finally {
            ids.free();
        }
        if (found.isEmpty()) {
            return skip;
        }
        skip = skip == null ? new boolean[batch.rows] : skip;
        for (int i = 0; i < batch.rows; i++) {
            skip[i] |= found.contains(batch.ids[i]);
        }
        return skip;
    }

    /**
     * Rows encoded as COPY's binary tuples (in the column order of {@link SessionStatements#SESSION_COLUMNS}) as
     * they are added, on the thread that buffers them: the writer's thread, the one that waits for PostgreSQL, only
     * sends bytes. Holds the bytes and the session ids, not the rows.
     */
    static final class Batch {
        private static final long EPOCH_2000_SECONDS = 946_684_800L;
        private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

        private byte[] bytes;
        private int size;
        private int[] ends;
        private final String[] ids;
        private int rows;

        Batch(int capacity) {
            this.ids = new String[capacity];
            this.ends = new int[capacity];
            this.bytes = new byte[Math.min(capacity, 4096) * 256];
        }

        int rows() {
            return rows;
        }

        /** Encoded bytes held. */
        int size() {
            return size;
        }

        Batch clear() {
            size = 0;
            rows = 0;
            Arrays.fill(ids, null);
            return this;
        }

        boolean isFull() {
            return rows == ids.length;
        }

        private int start(int row) {
            return row == 0 ? 0 : ends[row - 1];
        }

        /** The binary tuple of row {@code i} (for tests). */
        byte[] tuple(int row) {
            return Arrays.copyOfRange(bytes, start(row), ends[row]);
        }

        void add(SessionRow s) {
            if (isFull()) {
                throw new IllegalStateException("batch full: " + rows);
            }
            int2(COLUMNS);
            text(s.sessionId());
            text(s.userId());
            timestamptz(s.sessionStart());
            timestamptz(s.sessionEnd());
            int4(8);
            int8(s.durationMs());
            int4(4);
            int4(s.eventCount());
            int4(4);
            int4(s.pageViews());
            int4(4);
            int4(s.purchases());
            numeric(s.revenue());
            text(s.landingPage());
            text(s.exitPage());
            text(s.landingCategory());
            text(s.country());
            text(s.segment());
            text(s.utmSource());
            text(s.utmMedium());
            text(s.utmCampaign());
            int4(1);
            ensure(1);
            bytes[size++] = (byte) (s.isBounce() ? 1 : 0);
            timestamptz(s.closedAt());
            ids[rows] = s.sessionId();
            ends[rows] = size;
            rows++;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        private void int2(int v) {
            ensure(2);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        private void int4(int v) {
            ensure(4);
            bytes[size++] = (byte) (v >>> 24);
            bytes[size++] = (byte) (v >>> 16);
            bytes[size++] = (byte) (v >>> 8);
            bytes[size++] = (byte) v;
        }

        private void int8(long v) {
            int4((int) (v >>> 32));
            int4((int) v);
        }

        /** UTF-8, as the text format's line was sent; ASCII (the usual case) without an intermediate array. */
        private void text(String value) {
            if (value == null) {
                int4(-1);
                return;
            }
            int n = value.length();
            ensure(4 + n);
            int lengthAt = size;
            size += 4;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    size = lengthAt;
                    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                    int4(utf8.length);
                    ensure(utf8.length);
                    System.arraycopy(utf8, 0, bytes, size, utf8.length);
                    size += utf8.length;
                    return;
                }
                bytes[size++] = (byte) c;
            }
            bytes[lengthAt] = (byte) (n >>> 24);
            bytes[lengthAt + 1] = (byte) (n >>> 16);
            bytes[lengthAt + 2] = (byte) (n >>> 8);
            bytes[lengthAt + 3] = (byte) n;
        }

        /**
         * int64 microseconds since 2000-01-01 UTC. Finer than a microsecond is rounded half up, as PostgreSQL stores
         * no more (the job's timestamps are whole milliseconds).
         */
        private void timestamptz(Instant instant) {
            long micros = Math.addExact(Math.multiplyExact(instant.getEpochSecond() - EPOCH_2000_SECONDS, 1_000_000L),
                    (instant.getNano() + 500) / 1000);
            int4(8);
            int8(micros);
        }

        /**
         * numeric's binary form: base-10000 digits around the decimal point, weight of the first, sign, display
         * scale; the column's typmod (scale 2) then applies on the server as it does to text input.
         */
        private void numeric(BigDecimal value) {
            int scale = Math.max(value.scale(), 0);
            BigInteger unscaled = value.scale() < 0 ? value.setScale(0).unscaledValue() : value.unscaledValue();
            int sign = unscaled.signum() < 0 ? 0x4000 : 0;
            unscaled = unscaled.abs();
            // Align the fraction to whole base-10000 digits.
            int fractionDigits = (scale + 3) / 4;
            if (fractionDigits * 4 > scale) {
                unscaled = unscaled.multiply(BigInteger.TEN.pow(fractionDigits * 4 - scale));
            }
            short[] digits = new short[Math.max(1, (unscaled.bitLength() * 3 / 40) + 2)];
            int n = 0;
            if (unscaled.bitLength() < 63) {
                long v = unscaled.longValue();
                while (v != 0) {
                    digits[n++] = (short) (v % 10_000);
                    v /= 10_000;
                }
            } else {
                BigInteger v = unscaled;
                while (v.signum() != 0) {
                    BigInteger[] qr = v.divideAndRemainder(TEN_THOUSAND);
                    if (n == digits.length) {
                        digits = Arrays.copyOf(digits, n * 2);
                    }
                    digits[n++] = qr[1].shortValue();
                    v = qr[0];
                }
            }
            // digits[0] is the least significant; strip zeros at both ends, as PostgreSQL stores them.
            int low = 0;
            while (low < n && digits[low] == 0) {
                low++;
            }
            int count = n - low;
            int weight = count == 0 ? 0 : n - 1 - fractionDigits;
            int4(8 + 2 * count);
            int2(count);
            int2(weight);
            int2(count == 0 ? 0 : sign);
            int2(scale);
            for (int i = n - 1; i >= low; i--) {
                int2(digits[i]);
            }
        }
    }
}
