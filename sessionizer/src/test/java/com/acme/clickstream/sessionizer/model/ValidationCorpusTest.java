package com.acme.clickstream.sessionizer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repository's validation corpus ({@code docs/validation-corpus.jsonl}: the contract's readings as records and
 * their outcome), checked against the service's validator with the exact DLQ reason code. The load tool's reference
 * validator is checked against the same file, so the two cannot drift apart on any case in it.
 */
public class ValidationCorpusTest {
    /** The corpus' wall clock for the future-skew rule. */
    static final long NOW = Instant.parse("2026-11-24T12:00:00Z").toEpochMilli();
    static final Path CORPUS = Path.of("..", "docs", "validation-corpus.jsonl");

    final EventValidator validator = new EventValidator(Duration.ofHours(1));

    public record Case(String name, byte[] value, String expect) {
        @Override
        public String toString() {
            return name + " -> " + expect;
        }
    }

    public static Stream<Case> corpus() throws IOException {
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
    void outcomeIsTheCorpusOne(Case c) {
        ValidationResult r = validator.validate(c.value(), NOW, true);
        String outcome = r instanceof ValidationResult.Invalid inv ? inv.reason().code() : "valid";
        assertThat(outcome).as(c.name() + (r instanceof ValidationResult.Invalid inv ? ": " + inv.message() : ""))
                .isEqualTo(c.expect());
    }
}
