package com.acme.clickstream.loadtest.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.acme.clickstream.loadtest.bench.BenchCommand;

/**
 * What the run command prints after READY so that a newcomer knows where to look: PostgreSQL, the REST
 * API for a user of the generated data, the metrics, and where a bench writes its report. Passwords are
 * never printed: psql asks for one when the server wants it.
 */
public final class StackHints {
    private StackHints() {}

    /**
     * @param liveUser     a user of the generated load (empty with --no-load)
     * @param firstSession wall-clock time from now until the first generated sessions are due to close
     */
    public static List<String> lines(String jdbcUrl, String sessionizerUrl, String managementUrl, Optional<String> liveUser,
                                     Path projectDir, Optional<Duration> firstSession) {
        List<String> lines = new ArrayList<>();
        lines.add("how to look:");
        lines.add("  sessions in PostgreSQL: " + psql(jdbcUrl)
                + " -c 'select user_id, session_start, event_count, closed_at from sessions order by closed_at desc limit 10'");
        String user = liveUser.map(u -> java.net.URLEncoder.encode(u, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20")).orElse("USER_ID");
        lines.add("  a user over REST:       " + sessionizerUrl + "/api/users/" + user + "/sessions/open"
                + "   (finished: " + sessionizerUrl + "/api/users/" + user + "/sessions)");
        lines.add("  metrics (Prometheus):   " + managementUrl + "/q/metrics");
        lines.add("  bench report:           load-test bench writes it to "
                + BenchCommand.reportDirPattern(projectDir.toAbsolutePath().normalize()) + "/report.html");
        firstSession.ifPresent(d -> lines.add("first sessions: the demo load runs event time faster than the wall clock;"
                + " its first visits end about " + Math.max(1, d.toSeconds()) + " s from now (then a Flink checkpoint"
                + " writes them); until then the progress line counts them as open"));
        return lines;
    }

    /** A psql command line for a PostgreSQL JDBC URL: host, port, user and database, never the password. */
    public static String psql(String jdbcUrl) {
        String rest = jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
        int slash = rest.indexOf('/');
        int query = rest.indexOf('?');
        String hostPort = slash < 0 ? (query < 0 ? rest : rest.substring(0, query)) : rest.substring(0, slash);
        String database = slash < 0 ? "postgres"
                : rest.substring(slash + 1, query < 0 ? rest.length() : Math.max(slash + 1, query));
        Map<String, String> params = LocalStack.jdbcQuery(jdbcUrl);
        String host = hostPort;
        String port = "5432";
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && !hostPort.endsWith("]")) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon + 1);
        }
        return "psql -h " + host + " -p " + port + " -U " + params.getOrDefault("user", "postgres") + " "
                + (database.isEmpty() ? "postgres" : database);
    }
}
