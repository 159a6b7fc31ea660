package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.acme.clickstream.flink.model.SessionRow;
import org.junit.jupiter.api.Test;

/**
 * The binary COPY tuples decoded back the way PostgreSQL's receive functions read them (textrecv, int8recv,
 * int4recv, numeric_recv, boolrecv, timestamptz_recv): every column comes back as it went in. The same rows go
 * through a real server in {@code SessionCopyIT}.
 */
class SessionCopyEncodingTest {
    private static final Instant Y2K = Instant.parse("2000-01-01T00:00:00Z");

    static SessionRow row(String id, String text, Instant t, BigDecimal revenue) {
        return new SessionRow(id, text, t, t.plusMillis(1), 1, 2, 3, 4, revenue, text, null, text, "DE", null,
                text, null, text, false, t.plusSeconds(60));
    }

    /** Every kind of value the encoder has a case for, each one the table {@code sessions} can hold. */
    static List<SessionRow> rows() {
        Instant millis = Instant.parse("2026-11-24T08:00:00.013Z");
        return List.of(
                new SessionRow("s\t1", "u\\1", millis, Instant.parse("2026-11-24T08:00:00Z"), 0, 1, 1, 0,
                        new BigDecimal("12.50"), "/p?a=1\nb", null, "c\rd", "DE", null, null, null, null, true,
                        Instant.parse("2026-11-24T08:32:00Z")),
                new SessionRow("ü-ß-€-😀", "user 😀", Instant.parse("2026-11-24T08:00:00.123456Z"),
                        Instant.parse("1999-12-31T23:59:59.999999Z"), Long.MAX_VALUE, Integer.MAX_VALUE,
                        Integer.MIN_VALUE, -1, new BigDecimal("9999999999999999.99"), "", "\\N", "tab\there",
                        "\u00e9", "back\\slash", "new\nline", "cr\rlf\n", "\u0001\u007f", false,
                        Instant.parse("1970-01-01T00:00:00Z")),
                row("zero", "a", millis, new BigDecimal("0.00")),
                row("small", "a", millis, new BigDecimal("0.01")),
                row("half", "a", millis, new BigDecimal("0.5")),
                row("whole", "a", millis, new BigDecimal("10000")),
                row("carry", "a", millis, new BigDecimal("100000000.00")),
                row("negative", "a", millis, new BigDecimal("-1234.56")),
                row("pre-2000", "a", Instant.parse("1969-07-20T20:17:40.000001Z"), new BigDecimal("1.10")),
                row("y2k", "a", Y2K, new BigDecimal("3.00")));
    }

    @Test
    void everyColumnDecodesToTheRowThatWasEncoded() {
        List<SessionRow> rows = new java.util.ArrayList<>(rows());
        // beyond numeric(18,2), for the encoder's BigInteger path (the server would reject it on the typmod)
        rows.add(row("big", "a", Y2K, new BigDecimal("-123456789012345678901234567890.1234567")));
        SessionCopy.Batch batch = new SessionCopy.Batch(rows.size());
        rows.forEach(batch::add);
        assertThat(batch.isFull()).isTrue();
        for (int i = 0; i < rows.size(); i++) {
            assertThat(decode(batch.tuple(i))).as("row %d", i).isEqualTo(rows.get(i));
        }
        assertThatThrownBy(() -> batch.add(rows.get(0))).isInstanceOf(IllegalStateException.class);
        batch.clear();
        assertThat(batch.rows()).isZero();
        batch.add(rows.get(1));
        assertThat(decode(batch.tuple(0))).isEqualTo(rows.get(1));
    }

    @Test
    void timestampsAreMicrosecondsSince2000AndNumericIsBase10000() {
        SessionCopy.Batch batch = new SessionCopy.Batch(1);
        batch.add(row("t", "a", Y2K.plusNanos(1_500), new BigDecimal("12345.67")));
        ByteBuffer b = ByteBuffer.wrap(batch.tuple(0));
        assertThat(b.getShort()).isEqualTo((short) 19);
        skip(b); // session_id
        skip(b); // user_id
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).isEqualTo(2L); // 1.5 µs rounds half up, as PostgreSQL keeps microseconds
        for (int i = 0; i < 5; i++) {
            skip(b); // session_end .. purchases
        }
        assertThat(b.getInt()).isEqualTo(8 + 2 * 3);
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 3, (short) 1, (short) 0, (short) 2); // ndigits, weight, sign, dscale
        assertThat(new short[] {b.getShort(), b.getShort(), b.getShort()})
                .containsExactly((short) 1, (short) 2345, (short) 6700);
    }

    @Test
    void aNegativeScaleIsSentAsTheSameNumberWithoutDecimals() {
        SessionCopy.Batch batch = new SessionCopy.Batch(1);
        batch.add(row("e", "a", Y2K, new BigDecimal("1E+5")));
        assertThat(decode(batch.tuple(0)).revenue()).isEqualTo(new BigDecimal("100000"));
    }

    private static void skip(ByteBuffer b) {
        int len = b.getInt();
        if (len > 0) {
            b.position(b.position() + len);
        }
    }

    static SessionRow decode(byte[] tuple) {
        ByteBuffer b = ByteBuffer.wrap(tuple);
        assertThat(b.getShort()).isEqualTo((short) 19);
        SessionRow row = new SessionRow(text(b), text(b), timestamptz(b), timestamptz(b), int8(b), int4(b), int4(b),
                int4(b), numeric(b), text(b), text(b), text(b), text(b), text(b), text(b), text(b), text(b),
                bool(b), timestamptz(b));
        assertThat(b.hasRemaining()).isFalse();
        return row;
    }

    private static String text(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long int8(ByteBuffer b) {
        assertThat(b.getInt()).isEqualTo(8);
        return b.getLong();
    }

    private static int int4(ByteBuffer b) {
        assertThat(b.getInt()).isEqualTo(4);
        return b.getInt();
    }

    private static boolean bool(ByteBuffer b) {
        assertThat(b.getInt()).isEqualTo(1);
        byte v = b.get();
        assertThat(v).isIn((byte) 0, (byte) 1);
        return v == 1;
    }

    private static Instant timestamptz(ByteBuffer b) {
        long micros = int8(b);
        return Y2K.plusSeconds(Math.floorDiv(micros, 1_000_000L)).plusNanos(Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** numeric_recv: value = sum(digit[i] * 10000^(weight - i)), shown at dscale decimals. */
    private static BigDecimal numeric(ByteBuffer b) {
        int len = b.getInt();
        int ndigits = b.getShort();
        int weight = b.getShort();
        int sign = b.getShort() & 0xffff;
        int dscale = b.getShort();
        assertThat(len).isEqualTo(8 + 2 * ndigits);
        assertThat(sign).isIn(0, 0x4000);
        BigDecimal value = BigDecimal.ZERO;
        for (int i = 0; i < ndigits; i++) {
            int digit = b.getShort();
            assertThat(digit).isBetween(0, 9999);
            if (i == 0 || i == ndigits - 1) {
                assertThat(digit).as("no zero digit at either end").isNotZero();
            }
            value = value.add(new BigDecimal(BigInteger.valueOf(digit)).scaleByPowerOfTen(4 * (weight - i)));
        }
        value = value.setScale(dscale);
        return sign == 0x4000 ? value.negate() : value;
    }
}
