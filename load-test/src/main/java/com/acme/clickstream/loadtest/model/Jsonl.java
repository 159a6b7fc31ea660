package com.acme.clickstream.loadtest.model;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The record files shared by generate (writes), replay and verify (read): one JSON object per line,
 * {@code {"key":..., "value":..., "partition":..., "offset":..., "sent_at":..., "kind":...}}.
 * A value that is not valid UTF-8 is written as {@code "value_base64"} instead of {@code "value"};
 * a null value is {@code "value": null}. Only key and value are needed to replay a file.
 */
public final class Jsonl {
    public static final String EVENTS = "events.jsonl";
    public static final String USERS = "users.jsonl";
    public static final String PAGES = "pages.jsonl";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Jsonl() {}

    public static String toLine(SentRecord r) {
        java.io.StringWriter line = new java.io.StringWriter();
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(line)) {
            writeRecord(json, r, r.value() == null ? null : strictUtf8(r.value()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line.toString();
    }

    /**
     * One record as the file's JSON object: the format of {@link #toLine} and of {@link Writer}, in one place.
     *
     * @param valueText the value as strict UTF-8 text, or null (then it is written in base64, if any)
     */
    private static void writeRecord(JsonGenerator json, SentRecord r, String valueText) throws IOException {
        json.writeStartObject();
        json.writeStringField("key", r.key());
        if (r.value() == null) {
            json.writeNullField("value");
        } else if (valueText != null) {
            json.writeStringField("value", valueText);
        } else {
            json.writeStringField("value_base64", Base64.getEncoder().encodeToString(r.value()));
        }
        json.writeNumberField("partition", r.partition());
        json.writeNumberField("offset", r.offset());
        json.writeNumberField("sent_at", r.sentAtMs());
        if (r.kind() != null) {
            json.writeStringField("kind", r.kind());
        }
        json.writeEndObject();
    }

    public static SentRecord fromLine(String line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a record line: " + line, e);
        }
        String key = n.path("key").isTextual() ? n.get("key").asText() : null;
        byte[] value;
        if (n.hasNonNull("value_base64")) {
            value = Base64.getDecoder().decode(n.get("value_base64").asText());
        } else if (n.hasNonNull("value")) {
            value = n.get("value").asText().getBytes(StandardCharsets.UTF_8);
        } else {
            value = null;
        }
        return new SentRecord(key, value,
                n.path("partition").asInt(-1), n.path("offset").asLong(-1), n.path("sent_at").asLong(0),
                n.hasNonNull("kind") ? n.get("kind").asText() : null);
    }

    public static List<SentRecord> read(Path file) {
        List<SentRecord> out = new ArrayList<>();
        forEach(file, out::add);
        return out;
    }

    /** Streams a file line by line (event files can be large); a missing file is empty. */
    public static void forEach(Path file, Consumer<SentRecord> action) {
        if (!Files.exists(file)) {
            return;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    action.accept(fromLine(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Writer writer(Path file) {
        return new Writer(file);
    }

    /** Returns the text if the bytes are valid UTF-8, else null. */
    public static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Writes records one line each, streamed through one JSON generator onto a buffered file (no tree and
     * no string per record, no flush per record); the lines are those of {@link #toLine} ({@link #writeRecord}).
     * Not thread-safe: one writer thread per file.
     */
    public static final class Writer implements Closeable {
        private static final int BUFFER_CHARS = 1 << 16;
        private final BufferedWriter out;
        private final JsonGenerator json;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        private Writer(Path file) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8),
                        BUFFER_CHARS);
                json = MAPPER.getFactory().createGenerator(out);
                // Lines are ended by hand below; Jackson's default separator between root values is a space.
                json.setRootValueSeparator(new SerializedString(""));
                json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public void write(SentRecord r) {
            try {
                writeRecord(json, r, r.value() == null ? null : strictUtf8(r.value()));
                json.writeRaw('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** As {@link Jsonl#strictUtf8}, with this writer's decoder (making one per record showed in profiles). */
        private String strictUtf8(byte[] bytes) {
            try {
                return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }

        @Override
        public void close() {
            try {
                json.close();
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
