package com.acme.clickstream.sessionizer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The streaming pass may only accept what the tree validator accepts, with the same event: every document of the
 * corpus, a set of valid events with every field form, and every single-byte mutation and truncation of them must
 * give the same result through {@code validate} (streaming first) as through the tree alone. And the streaming pass
 * must really take the common case, or the speed it exists for is silently gone.
 */
class StreamingValidationTest {

    static final long NOW = ValidationCorpusTest.NOW;
    final EventValidator validator = new EventValidator(Duration.ofHours(1));

    static final List<String> EVENTS = List.of(
            "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"ts\":\"2026-11-24T10:15:30.123Z\",\"type\":\"click\"}",
            "{\"event_id\":\"evt-7\",\"user_id\":\"user-42\",\"ts\":1795515330123,\"type\":\"page_view\","
                    + "\"url\":\"https://shop.example.com/p/7?ref=x#top\",\"referrer\":null,\"utm_source\":\"google\","
                    + "\"utm_medium\":\"cpc\",\"utm_campaign\":\"\",\"user_agent\":\"Mozilla/5.0 (X11; Linux x86_64)\"}",
            "{\"type\":\"purchase\",\"amount\":19.90,\"ts\":\"2026-11-24T15:45:30.123+05:30\",\"user_id\":\"u2\","
                    + "\"event_id\":\"p-1\",\"extra\":{\"a\":[1,2.5,\"x\",true,null,{\"b\":[]}]},\"n\":-3e2}",
            "{\"event_id\":\"e2\",\"user_id\":\"u3\",\"ts\":\"2026-11-24t10:15:30z\",\"type\":\"purchase\",\"amount\":7}",
            "{\"event_id\":\"e3\",\"user_id\":\"u\\u00e9\\ud83d\\ude00\",\"ts\":0,\"type\":\"add_to_cart\",\"amount\":1.500}",
            "{\"event_id\":\"e4\",\"user_id\":\"u4\",\"ts\":\"2026-11-24T10:15:30Z\",\"type\":\"page_view\",\"url\":\"/\"}",
            "{\"event_id\":\"e5\",\"user_id\":\"u5\",\"ts\":\"2026-11-24T10:15:30.5Z\",\"type\":\"purchase\","
                    + "\"amount\":null,\"url\":\"rel/a b\",\"utm_source\":\"\\\"q\\\"\"}",
            "{\"event_id\":\"e6\",\"user_id\":\"u6\",\"ts\":1795515330123,\"type\":\"purchase\",\"amount\":0.001}",
            "{\"event_id\":\"e7\",\"user_id\":\"u7\",\"ts\":\"2026-11-24T10:15:30Z\",\"type\":\"x\",\"k\":\"\\\\u0000\"}");

    @Test
    void corpusGivesTheTreeResult() throws IOException {
        ValidationCorpusTest.corpus().forEach(c -> assertSame(c.value(), c.name()));
    }

    @Test
    void everyMutationAndTruncationGivesTheTreeResult() {
        byte[] replacements = "\"\\,:{}[]0 .-xeuE".getBytes(StandardCharsets.US_ASCII);
        int checked = 0;
        for (String event : EVENTS) {
            byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                assertSame(java.util.Arrays.copyOf(bytes, i), event + " cut at " + i);
                for (byte r : replacements) {
                    byte[] mutated = bytes.clone();
                    mutated[i] = r;
                    assertSame(mutated, event + " with byte " + i + " = " + (char) r);
                }
                checked++;
            }
            // Appended data, a second document, and whitespace around.
            assertSame((event + " ").getBytes(StandardCharsets.UTF_8), event + " + space");
            assertSame((event + event).getBytes(StandardCharsets.UTF_8), event + " twice");
            assertSame((event + "x").getBytes(StandardCharsets.UTF_8), event + " + x");
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void theCommonEventsAreAcceptedByTheStreamingPass() {
        List<String> notStreamed = new ArrayList<>();
        for (String event : EVENTS.subList(0, 4)) {
            if (validator.acceptStreaming(event.getBytes(StandardCharsets.UTF_8), NOW, true) == null) {
                notStreamed.add(event);
            }
        }
        assertThat(notStreamed).isEmpty();
        // Each reason to leave it to the tree: an invalid rule, a NUL escape anywhere, non-ASCII bytes.
        assertThat(validator.validate(EVENTS.get(7).getBytes(StandardCharsets.UTF_8), NOW, true))
                .isInstanceOf(ValidationResult.Invalid.class);
        assertThat(validator.acceptStreaming(EVENTS.get(7).getBytes(StandardCharsets.UTF_8), NOW, true)).isNull();
        assertThat(validator.validate(EVENTS.get(8).getBytes(StandardCharsets.UTF_8), NOW, true))
                .isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void duplicateNamesAtAnyDepthAreLeftToTheTreeWhichRejectsThem() {
        String head = "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"ts\":0,\"type\":\"click\"";
        List<String> duplicates = List.of(
                head + ",\"type\":\"click\"}",
                head + ",\"utm_source\":\"a\",\"utm_source\":null}",
                head + ",\"x\":1,\"y\":2,\"x\":3}",
                head + ",\"x\":{\"a\":1,\"b\":{\"c\":[{\"d\":1,\"d\":2}]}}}",
                head + ",\"x\":[{\"a\":1},{\"a\":1,\"b\":2,\"a\":3}]}");
        for (String event : duplicates) {
            byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
            assertThat(validator.acceptStreaming(bytes, NOW, true)).as(event).isNull();
            assertThat(validator.validate(bytes, NOW, true)).as(event)
                    .isInstanceOfSatisfying(ValidationResult.Invalid.class,
                            i -> assertThat(i.reason()).isEqualTo(InvalidReason.NOT_JSON));
        }
        // The same names in sibling objects are no duplicates, and are streamed.
        String siblings = head + ",\"x\":[{\"a\":1},{\"a\":2,\"b\":{\"a\":3}}],\"y\":{\"a\":1}}";
        assertThat(validator.acceptStreaming(siblings.getBytes(StandardCharsets.UTF_8), NOW, true)).isNotNull();
        // More names in one object than the streaming pass searches: the tree judges, and accepts.
        StringBuilder many = new StringBuilder(head).append(",\"x\":{");
        for (int i = 0; i < EventValidator.FieldNames.MAX + 1; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        byte[] wide = many.append("}}").toString().getBytes(StandardCharsets.UTF_8);
        assertThat(validator.acceptStreaming(wide, NOW, true)).isNull();
        assertThat(validator.validate(wide, NOW, true)).isInstanceOf(ValidationResult.Valid.class);
    }

    private void assertSame(byte[] value, String what) {
        ValidationResult tree = validator.validateTree(value, NOW, true);
        assertThat(validator.validate(value, NOW, true)).as(what).isEqualTo(tree);
        assertThat(validator.validate(value, NOW, false)).as(what + " (no skew check)")
                .isEqualTo(validator.validateTree(value, NOW, false));
    }
}
