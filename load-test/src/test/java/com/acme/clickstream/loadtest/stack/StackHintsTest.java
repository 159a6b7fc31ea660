package com.acme.clickstream.loadtest.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The lines the run command prints after READY, and the open-sessions figure of the progress line. */
class StackHintsTest {

    @Test
    void psqlCommandLineHasHostPortUserAndDatabaseAndNeverThePassword() {
        assertThat(StackHints.psql("jdbc:postgresql://127.0.0.1:54321/postgres?user=postgres"))
                .isEqualTo("psql -h 127.0.0.1 -p 54321 -U postgres postgres");
        assertThat(StackHints.psql("jdbc:postgresql://db.example.com:6432/clickstream?user=bi&password=s3cret&ssl=true"))
                .isEqualTo("psql -h db.example.com -p 6432 -U bi clickstream");
        assertThat(StackHints.psql("jdbc:postgresql://db.example.com/clickstream"))
                .isEqualTo("psql -h db.example.com -p 5432 -U postgres clickstream");
    }

    @Test
    void afterReadyItSaysWhereToLook() {
        List<String> lines = StackHints.lines("jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres&password=pw",
                "http://127.0.0.1:8081", "http://127.0.0.1:9001", Optional.of("u000042"), Path.of("/repo"),
                Optional.of(Duration.ofSeconds(32)));
        assertThat(lines).containsExactly(
                "how to look:",
                "  sessions in PostgreSQL: psql -h 127.0.0.1 -p 5433 -U postgres postgres -c 'select user_id,"
                        + " session_start, event_count, closed_at from sessions order by closed_at desc limit 10'",
                "  a user over REST:       http://127.0.0.1:8081/api/users/u000042/sessions/open"
                        + "   (finished: http://127.0.0.1:8081/api/users/u000042/sessions)",
                "  metrics (Prometheus):   http://127.0.0.1:9001/q/metrics",
                "  bench report:           load-test bench writes it to /repo/target/bench-report/<yyyyMMdd-HHmmss>/report.html",
                "first sessions: the demo load runs event time faster than the wall clock; its first visits end about"
                        + " 32 s from now (then a Flink checkpoint writes them); until then the progress line counts them as open");
        assertThat(String.join("\n", lines)).doesNotContain("pw");
    }

    @Test
    void withoutLoadTheRestUrlHasAPlaceholderAndNoFirstSessionsLine() {
        List<String> lines = StackHints.lines("jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres",
                "http://127.0.0.1:8081", "http://127.0.0.1:9001", Optional.empty(), Path.of("/repo"), Optional.empty());
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2)).contains("/api/users/USER_ID/sessions/open");
    }

    @Test
    void openSessionsIsTheSumOfTheGaugesSamples() {
        String metrics = """
                # HELP sessionizer_sessions_open open sessions
                # TYPE sessionizer_sessions_open gauge
                sessionizer_sessions_open 17.0
                sessionizer_sessions_opened_total 3.0
                """;
        assertThat(StackStatus.openSessions(metrics)).contains(17L);
        assertThat(StackStatus.openSessions("sessionizer_sessions_open{task=\"0_1\"} 2.0\nsessionizer_sessions_open{task=\"0_2\"} 3.0\n"))
                .contains(5L);
        assertThat(StackStatus.openSessions("jvm_threads_live 3.0\n")).isEmpty();
    }

    @Test
    void noPasswordLeavesTheStackInAUrlOrItsConfiguration() {
        String url = "jdbc:postgresql://db.example.com:6432/clickstream?user=owner&password=s%3Dcret&sslmode=require";
        assertThat(LocalStack.withoutPassword(url))
                .isEqualTo("jdbc:postgresql://db.example.com:6432/clickstream?user=owner&sslmode=require");
        assertThat(LocalStack.withoutCredentials(url))
                .isEqualTo("jdbc:postgresql://db.example.com:6432/clickstream?sslmode=require");
        assertThat(LocalStack.withoutCredentials("jdbc:postgresql://h/d?user=u&password=p")).isEqualTo("jdbc:postgresql://h/d");
        StackConfig config = new StackConfig(Path.of("/tmp/stack"), 0, 0, 0, Optional.empty(), Optional.of(url), null,
                null, 1, java.util.Map.of(), List.of(), Duration.ofSeconds(1));
        assertThat(config.toString()).contains("user=owner").doesNotContain("s%3Dcret").doesNotContain("password");
    }
}
