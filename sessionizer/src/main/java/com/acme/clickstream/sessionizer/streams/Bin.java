package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.SessionSummary;
import org.apache.kafka.common.errors.SerializationException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primitives of the stores' binary values: big-endian int64, unsigned varint, length-prefixed UTF-8 strings
 * ({@code nstr}: 0 for null, else length + 1), decimals as zigzag scale + two's complement unscaled bytes.
 */
final class Bin {

    private Bin() {
    }

    static final class Out implements SessionSummary.Writer {
        private byte[] buf;
        private int pos;

        Out(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        private void ensure(int more) {
            if (pos + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
            }
        }

        void b(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        @Override
        public void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        @Override
        public void varint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void bytes(byte[] b) {
            bytes(b, 0, b.length);
        }

        void bytes(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        @Override
        public void str(String s) {
            string(s, 0);
        }

        @Override
        public void nstr(String s) {
            if (s == null) {
                varint(0);
            } else {
                string(s, 1);
            }
        }

        /** (UTF-8 length + lengthOffset), then the UTF-8 bytes. */
        private void string(String s, int lengthOffset) {
            if (!ascii(s, lengthOffset)) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                varint(b.length + lengthOffset);
                bytes(b);
            }
        }

        /**
         * Writes (length + lengthOffset) and the string straight into the buffer when it is all ASCII, as ids, types
         * and paths nearly always are (one byte per char: no encoded copy per string); false, with nothing written,
         * otherwise.
         */
        private boolean ascii(String s, int lengthOffset) {
            int n = s.length();
            int start = pos;
            ensure(5 + n);
            varint(n + lengthOffset);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    pos = start;
                    return false;
                }
                buf[pos++] = (byte) c;
            }
            return true;
        }

        /** A decimal or null. */
        @Override
        public void decimal(BigDecimal a) {
            if (a == null) {
                b(0);
                return;
            }
            b(1);
            varint((a.scale() << 1) ^ (a.scale() >> 31));
            byte[] unscaled = a.unscaledValue().toByteArray();
            varint(unscaled.length);
            bytes(unscaled);
        }

        int size() {
            return pos;
        }

        /** Appends what was written here to {@code dst}. */
        void writeTo(Out dst) {
            dst.bytes(buf, 0, pos);
        }

        /** Empties the buffer for reuse, keeping its capacity. */
        void reset() {
            pos = 0;
        }

        /** A copy of what was written: the buffer itself may be reused ({@link #reset}). */
        byte[] toArray() {
            return toArray(0);
        }

        /** A copy of what was written from {@code from} on. */
        byte[] toArray(int from) {
            return Arrays.copyOfRange(buf, from, pos);
        }
    }

    static final class In implements SessionSummary.Reader {
        private final byte[] buf;
        private int pos;

        In(byte[] buf, int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        int b() {
            check(1);
            return buf[pos++];
        }

        @Override
        public long i64() {
            check(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        @Override
        public int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = b();
                v |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new SerializationException("malformed varint");
        }

        byte[] bytes(int n) {
            check(n);
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        @Override
        public String str() {
            return string(varint());
        }

        @Override
        public String nstr() {
            int n = varint();
            return n == 0 ? null : string(n - 1);
        }

        @Override
        public BigDecimal decimal() {
            if (b() == 0) {
                return null;
            }
            int z = varint();
            int scale = (z >>> 1) ^ -(z & 1);
            return new BigDecimal(new BigInteger(bytes(varint())), scale);
        }

        private String string(int n) {
            check(n);
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        private void check(int n) {
            if (n < 0 || pos + n > buf.length) {
                throw new SerializationException("truncated value");
            }
        }

        boolean atEnd() {
            return pos == buf.length;
        }

        int position() {
            return pos;
        }

        void skip(int n) {
            check(n);
            pos += n;
        }

        void skipStr() {
            skip(varint());
        }

        void skipNstr() {
            int n = varint();
            if (n > 0) {
                skip(n - 1);
            }
        }

        void skipDecimal() {
            if (b() != 0) {
                varint();
                skip(varint());
            }
        }

        int remaining() {
            return buf.length - pos;
        }
    }
}
