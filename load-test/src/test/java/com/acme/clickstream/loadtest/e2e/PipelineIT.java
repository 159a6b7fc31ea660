package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;

import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.generate.SentLog;
import com.acme.clickstream.loadtest.model.Jsonl;
import com.acme.clickstream.loadtest.verify.VerifyReport;
import org.junit.jupiter.api.Test;

/** The whole pipeline on generated data with every kind of odd record, no faults. */
class PipelineIT extends EndToEndTest {

    @Test
    void everyExpectedSessionExactlyOnceWithExactAccountingOfEveryKindOfBadRecord() {
        // More odd records than the mix, so that every malformed kind occurs at least once.
        Ratios ratios = new Ratios(0.03, 0.05, 0.02, 0.03, 0.02, 0.01);
        SentLog sent = Generator.run(dataset(2000, 1001, ratios), EndToEndTest::log);

        Set<String> invalidKinds = new TreeSet<>();
        Jsonl.forEach(sent.outDir().resolve(Jsonl.EVENTS), r -> {
            if (r.kind() != null && r.kind().startsWith("invalid:")) {
                invalidKinds.add(r.kind());
            }
        });
        assertThat(sent.byKind()).as("kinds sent").containsKeys("normal", "duplicate", "out_of_order", "late",
                "miskeyed", "invalid", "null");
        assertThat(sent.byKind().values()).allMatch(n -> n > 0);

        VerifyReport report = assertExactlyOnce(sent);

        assertThat(report.duplicates()).as("duplicates dropped").isPositive();
        assertThat(report.late()).as("too-late events").isPositive();
        assertThat(report.nulls()).as("null values skipped").isPositive();
        assertThat(report.invalid()).as("invalid records").isEqualTo(sent.byKind().get("invalid"));
        // Each malformed kind breaks one rule of the contract; the reference found as many distinct reasons.
        assertThat(invalidKinds.size()).as("malformed kinds sent").isGreaterThan(30);
        assertThat(report.invalidReasons().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(report.invalid());
    }
}
