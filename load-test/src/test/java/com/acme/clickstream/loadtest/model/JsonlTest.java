package com.acme.clickstream.loadtest.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming file writer writes exactly {@link Jsonl#toLine}'s lines, and they read back as written. */
class JsonlTest {
    @TempDir
    Path tmp;

    private static final List<SentRecord> TRICKY = List.of(
            new SentRecord("u-1", "{\"event_id\":\"e1\",\"url\":\"https://x/y?a=1&b=\\\"2\\\"\"}".getBytes(StandardCharsets.UTF_8),
                    2, 41, 1_764_000_000_123L, "normal"),
            new SentRecord(null, "{\"ts\":\"2026-11-24T00:00:00.000Z\",\"city\":\"Zürich ✓ 😀\"}".getBytes(StandardCharsets.UTF_8),
                    0, 0, 1, "miskeyed"),
            new SentRecord("u-2", null, 1, 7, 2, "null"),
            new SentRecord("u-3", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, 0, 1, 3, "invalid:bad_utf8"),
            new SentRecord("tab\there", "line\nbreak\u0001 and \\ backslash".getBytes(StandardCharsets.UTF_8), -1, -1, 0, null),
            new SentRecord("", new byte[0], 3, Long.MAX_VALUE, Long.MIN_VALUE, ""));

    @Test
    void writesTheLinesOfToLineOnePerLine() throws Exception {
        Path file = tmp.resolve("sub/records.jsonl");
        try (Jsonl.Writer w = Jsonl.writer(file)) {
            TRICKY.forEach(w::write);
        }
        StringBuilder expected = new StringBuilder();
        TRICKY.forEach(r -> expected.append(Jsonl.toLine(r)).append('\n'));
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(Jsonl.read(file)).isEqualTo(TRICKY);
    }

    /** The format itself, as the files of earlier runs have it (toLine and the writer now share one method). */
    @Test
    void theLinesKeepTheirFormat() {
        assertThat(Jsonl.toLine(TRICKY.get(0))).isEqualTo("{\"key\":\"u-1\",\"value\":\"{\\\"event_id\\\":\\\"e1\\\","
                + "\\\"url\\\":\\\"https://x/y?a=1&b=\\\\\\\"2\\\\\\\"\\\"}\",\"partition\":2,\"offset\":41,"
                + "\"sent_at\":1764000000123,\"kind\":\"normal\"}");
        assertThat(Jsonl.toLine(TRICKY.get(2)))
                .isEqualTo("{\"key\":\"u-2\",\"value\":null,\"partition\":1,\"offset\":7,\"sent_at\":2,\"kind\":\"null\"}");
        assertThat(Jsonl.toLine(TRICKY.get(3))).isEqualTo("{\"key\":\"u-3\",\"value_base64\":\"e8MofQ==\",\"partition\":0,"
                + "\"offset\":1,\"sent_at\":3,\"kind\":\"invalid:bad_utf8\"}");
        assertThat(Jsonl.toLine(TRICKY.get(4))).isEqualTo("{\"key\":\"tab\\there\",\"value\":\"line\\nbreak\\u0001 and "
                + "\\\\ backslash\",\"partition\":-1,\"offset\":-1,\"sent_at\":0}");
    }

    @Test
    void anEmptyFileForNoRecords() throws Exception {
        Path file = tmp.resolve("empty.jsonl");
        Jsonl.writer(file).close();
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void manyRecordsCrossTheBuffersUnchanged() throws Exception {
        Path file = tmp.resolve("many.jsonl");
        StringBuilder expected = new StringBuilder();
        try (Jsonl.Writer w = Jsonl.writer(file)) {
            for (int i = 0; i < 20_000; i++) {
                SentRecord r = TRICKY.get(i % TRICKY.size()).withDelivery(i % 4, i, 1_000L * i);
                w.write(r);
                expected.append(Jsonl.toLine(r)).append('\n');
            }
        }
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
    }
}
