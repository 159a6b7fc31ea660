package com.acme.clickstream.loadtest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repository's validation corpus ({@code docs/validation-corpus.jsonl}) against the reference validator: valid
 * exactly where the corpus says so. The sessionizer's test of the same file also checks the DLQ reason code; the
 * reference only judges validity (which is all the expected sessions depend on).
 */
class ValidationCorpusTest {
    /** The corpus' wall clock for the future-skew rule (skew 1 h, the contract's default). */
    private static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
    private static final Path CORPUS = Path.of("..", "docs", "validation-corpus.jsonl");

    private final EventValidator validator = new EventValidator(3_600_000);

    record Case(String name, byte[] value, String expect) {
        @Override
        public String toString() {
            return name + " -> " + expect;
        }
    }

    static Stream<Case> corpus() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(CORPUS, StandardCharsets.UTF_8);
        assertThat(lines).hasSizeGreaterThan(40);
        return lines.stream().map(line -> {
            try {
                JsonNode n = json.readTree(line);
                byte[] value = n.has("value_hex") ? HexFormat.of().parseHex(n.get("value_hex").asText())
                        : n.get("value").asText().getBytes(StandardCharsets.UTF_8);
                return new Case(n.get("case").asText(), value, n.get("expect").asText());
            } catch (IOException e) {
                throw new IllegalStateException("corpus line is not JSON: " + line, e);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void validExactlyWhereTheCorpusSaysSo(Case c) {
        EventValidator.Result r = validator.validate(c.value(), NOW);
        assertThat(r.isNull()).isFalse();
        String outcome = r.event() != null ? "valid" : "invalid (" + r.invalidReason() + ")";
        if (c.expect().equals("valid")) {
            assertThat(outcome).as(c.name()).isEqualTo("valid");
        } else {
            assertThat(outcome).as(c.name() + ", expected " + c.expect()).startsWith("invalid");
        }
    }
}
