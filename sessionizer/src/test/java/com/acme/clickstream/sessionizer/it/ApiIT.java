package com.acme.clickstream.sessionizer.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.response.Response;

/**
 * The packaged service (jar here; the native binary where one is built) against a real broker and a
 * real PostgreSQL: health, metrics, finished sessions and KPIs with exact values, open sessions live
 * from the state store, and the 400s.
 */
@QuarkusIntegrationTest
@WithTestResource(SessionizerTestResource.class)
class ApiIT {

    // ---- health ---------------------------------------------------------------------------------

    @Test
    void readyOnceKafkaStreamsRuns() {
        awaitReady();
        management().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Kafka Streams running' }.data.state", equalTo("RUNNING"))
                .body("checks.find { it.name == 'Kafka Streams topics health check' }.status", equalTo("UP"));
        management().get("/q/health/live").then().statusCode(200);
        management().get("/q/health/started").then().statusCode(200)
                .body("checks.find { it.name == 'Kafka Streams started' }.status", equalTo("UP"));
        // PostgreSQL is deliberately not a readiness criterion.
        management().get("/q/health/ready").then()
                .body("checks.findAll { it.name.toLowerCase().contains('database') }.size()", equalTo(0));
    }

    /**
     * The probes of the Kubernetes manifest, GET on the running service: on the management interface (the
     * container port named "management", 9000 as quarkus.management.port), not on the API's port.
     */
    @Test
    void kubernetesProbesAnswer() throws Exception {
        Path manifest = Path.of(System.getProperty("sessionizer.k8s.manifest", "../k8s/sessionizer.yaml"));
        Assumptions.assumeTrue(Files.exists(manifest), "no Kubernetes manifest yet at " + manifest);
        String yaml = Files.readString(manifest);
        assertThat(yaml).contains("containerPort: 8080").contains("- name: management\n              containerPort: 9000");
        List<String> paths = new ArrayList<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Matcher m = Pattern.compile(probe + ":\\s*\\n\\s*httpGet:\\s*\\n\\s*path:\\s*(\\S+)\\s*\\n\\s*port:\\s*(\\S+)")
                    .matcher(yaml);
            assertThat(m.find()).as(probe + " with an httpGet path and port in " + manifest).isTrue();
            paths.add(m.group(1));
            assertThat(m.group(2)).as(probe + " port").isEqualTo("management");
        }
        assertThat(paths).containsExactly("/q/health/started", "/q/health/live", "/q/health/ready");
        awaitReady();
        for (String path : paths) {
            management().get(path).then().statusCode(200);
        }
    }

    /** REST clients reach the API's port only: health and metrics are not there. */
    @Test
    void healthAndMetricsAreNotOnTheApiPort() {
        awaitReady();
        for (String path : List.of("/q/health", "/q/health/ready", "/q/metrics")) {
            given().get(path).then().statusCode(404);
        }
    }

    // ---- metrics --------------------------------------------------------------------------------

    /** Where the service serves its Prometheus metrics: the one place to change should they move port or path. */
    static String scrapeMetrics() {
        return management().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /**
     * Every metric of the sessionizer that an alert of the Kubernetes manifests uses (k8s/alerts.yaml) is in its
     * scrape, with the labels the alert selects on: the manifests' own test checks the names against the code, this
     * one against what the running service really exports (Kafka Streams client metrics included).
     */
    @Test
    void everySessionizerMetricOfTheAlertsIsExported() throws Exception {
        Path alerts = Path.of(System.getProperty("sessionizer.k8s.alerts", "../k8s/alerts.yaml"));
        Assumptions.assumeTrue(Files.exists(alerts), "no alert rules at " + alerts);
        java.util.Set<String> wanted = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("\\b((?:sessionizer|kafka)_[A-Za-z0-9_]+)\\s*\\{").matcher(Files.readString(alerts));
        while (m.find()) wanted.add(m.group(1));
        assertThat(wanted).contains("sessionizer_events_invalid_total", "kafka_consumer_fetch_manager_records_lag");
        awaitReady();
        // Client metrics appear with the first fetch of a partition and the first opened store.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String text = scrapeMetrics();
            java.util.Set<String> exported = new java.util.TreeSet<>();
            for (String line : text.split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                exported.add(line.split("[{ ]", 2)[0]);
            }
            assertThat(exported).containsAll(wanted);
            // The lag alert selects the events topic by its label.
            assertThat(text).containsPattern("(?m)^kafka_consumer_fetch_manager_records_lag\\{[^}]*topic=\"[^\"]+\"");
        });
    }

    @Test
    void prometheusMetricsIncludeKafkaStreamsAndSessionizerMeters() {
        awaitReady();
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                // Kafka Streams' own client metrics (Micrometer's Kafka Streams binder)
                .contains("kafka_stream_client_state")
                .contains("kafka_stream_alive_stream_threads")
                .contains("kafka_stream_thread_process_total")
                .contains("kafka_consumer_fetch_manager_records_consumed_total")
                .contains("kafka_producer_txn_commit_time_ns_total")
                // the sessionizer's own meters (contract: nothing is lost silently)
                .contains("sessionizer_events_accepted_total")
                .contains("sessionizer_events_duplicate_total")
                .contains("sessionizer_events_late_total")
                .contains("sessionizer_events_null_total")
                .contains("sessionizer_sessions_emitted_total")
                .contains("sessionizer_sessions_open")
                .contains("sessionizer_stream_time_lag")
                .contains("sessionizer_finalization_lag");
    }

    // ---- PostgreSQL: migrations, finished sessions, KPIs -----------------------------------------

    @Test
    void migrationsOfTheSchemaJarWereAppliedAtStart() throws Exception {
        try (Connection c = Servers.postgres().dataSource(Servers.DATABASE).getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(
                     "select version from flyway_schema_history where success and version is not null order by installed_rank")) {
            List<String> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
            assertThat(versions).isNotEmpty().containsExactlyElementsOf(migrationVersionsInSchemaJar());
        }
    }

    /** The versions of the V*.sql files under db/migration in the schema module's jar on the classpath. */
    static List<String> migrationVersionsInSchemaJar() throws Exception {
        java.net.URL v1 = ApiIT.class.getClassLoader().getResource("db/migration/V1__sessions.sql");
        assertThat(v1).as("schema jar on the test classpath").isNotNull();
        List<String> versions = new ArrayList<>();
        Pattern name = Pattern.compile("db/migration/V(\\d+)__[^/]+\\.sql");
        if ("jar".equals(v1.getProtocol())) {
            String jar = v1.getPath().substring("file:".length(), v1.getPath().indexOf('!'));
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(java.net.URLDecoder.decode(jar, "UTF-8"))) {
                file.stream().map(java.util.jar.JarEntry::getName).map(name::matcher).filter(Matcher::matches)
                        .forEach(m -> versions.add(m.group(1)));
            }
        } else {
            try (var files = Files.list(Path.of(v1.toURI()).getParent())) {
                files.map(f -> name.matcher("db/migration/" + f.getFileName())).filter(Matcher::matches)
                        .forEach(m -> versions.add(m.group(1)));
            }
        }
        versions.sort(java.util.Comparator.comparingInt(Integer::parseInt));
        return versions;
    }

    static final String S1 = "{\"session_id\":\"it-s1\",\"user_id\":\"it-hist-1\",\"session_start\":\"2031-01-10T10:00:00.000Z\","
            + "\"session_end\":\"2031-01-10T10:05:00.250Z\",\"duration_ms\":300250,\"event_count\":3,\"page_views\":2,"
            + "\"purchases\":1,\"revenue\":12.50,\"landing_page\":\"/p/1\",\"exit_page\":\"/cart\",\"landing_category\":\"shoes\","
            + "\"country\":\"DE\",\"segment\":\"vip\",\"utm_source\":\"google\",\"utm_medium\":\"cpc\",\"utm_campaign\":\"winter\","
            + "\"is_bounce\":false,\"closed_at\":\"2031-01-10T10:37:00.123Z\"}";
    static final String S2 = "{\"session_id\":\"it-s2\",\"user_id\":\"it-hist-1\",\"session_start\":\"2031-01-10T12:00:00.000Z\","
            + "\"session_end\":\"2031-01-10T12:00:00.000Z\",\"duration_ms\":0,\"event_count\":1,\"page_views\":1,"
            + "\"purchases\":0,\"revenue\":0.00,\"landing_page\":\"/p/2\",\"exit_page\":\"/p/2\",\"landing_category\":null,"
            + "\"country\":\"DE\",\"segment\":\"vip\",\"utm_source\":null,\"utm_medium\":null,\"utm_campaign\":null,"
            + "\"is_bounce\":true,\"closed_at\":\"2031-01-10T12:32:00.000Z\"}";
    static final String S3 = "{\"session_id\":\"it-s3\",\"user_id\":\"it-hist-1\",\"session_start\":\"2031-01-11T09:00:00.000Z\","
            + "\"session_end\":\"2031-01-11T09:10:00.000Z\",\"duration_ms\":600000,\"event_count\":4,\"page_views\":3,"
            + "\"purchases\":0,\"revenue\":0.00,\"landing_page\":\"/p/1\",\"exit_page\":\"/p/3\",\"landing_category\":\"shoes\","
            + "\"country\":null,\"segment\":null,\"utm_source\":\"newsletter\",\"utm_medium\":\"email\",\"utm_campaign\":null,"
            + "\"is_bounce\":false,\"closed_at\":\"2031-01-11T09:42:00.000Z\"}";

    /** Rows with fixed values on days (2031-01-10/11) that no other test writes. */
    static synchronized void insertSessions() throws Exception {
        try (Connection c = Servers.postgres().dataSource(Servers.DATABASE).getConnection();
             PreparedStatement ps = c.prepareStatement("insert into sessions values"
                     + " (?,?,?,?,?,?,?,?,?::numeric,?,?,?,?,?,?,?,?,?,?) on conflict (session_id) do nothing")) {
            Object[][] rows = {
                    {"it-s1", "it-hist-1", "2031-01-10T10:00:00Z", "2031-01-10T10:05:00.250Z", 300250L, 3, 2, 1, "12.50",
                            "/p/1", "/cart", "shoes", "DE", "vip", "google", "cpc", "winter", false, "2031-01-10T10:37:00.123Z"},
                    {"it-s2", "it-hist-1", "2031-01-10T12:00:00Z", "2031-01-10T12:00:00Z", 0L, 1, 1, 0, "0.00",
                            "/p/2", "/p/2", null, "DE", "vip", null, null, null, true, "2031-01-10T12:32:00Z"},
                    {"it-s3", "it-hist-1", "2031-01-11T09:00:00Z", "2031-01-11T09:10:00Z", 600000L, 4, 3, 0, "0.00",
                            "/p/1", "/p/3", "shoes", null, null, "newsletter", "email", null, false, "2031-01-11T09:42:00Z"},
                    {"it-s4", "it-hist-2", "2031-01-10T11:00:00Z", "2031-01-10T11:01:00Z", 60000L, 2, 2, 1, "7.25",
                            "/p/1", "/p/9", "shoes", "FR", "new", "google", "cpc", "winter", false, "2031-01-10T11:33:00Z"},
            };
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    Object v = row[i];
                    if (i == 2 || i == 3 || i == 18) {
                        v = Timestamp.from(Instant.parse((String) v));
                    }
                    ps.setObject(i + 1, v);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "                                                  | [S3,S2,S1]",
            "?from=2031-01-10&to=2031-01-10                    | [S2,S1]",
            "?from=2031-01-10T11:00:00Z                        | [S3,S2]",
            "?from=2031-01-10T11:00:00%2B01:00&to=2031-01-10T12:00:00Z | [S1]",
            "?limit=1                                          | [S3]",
            "?from=2031-01-12                                  | []",
    })
    void finishedSessionsNewestFirst(String query, String expected) throws Exception {
        insertSessions();
        String body = expected.replace("S1", S1).replace("S2", S2).replace("S3", S3);
        String actual = given().urlEncodingEnabled(false).get("/api/users/it-hist-1/sessions" + (query == null ? "" : query))
                .then().statusCode(200).contentType("application/json").extract().asString();
        assertThat(actual).isEqualTo(body);
    }

    @Test
    void dailyKpis() throws Exception {
        insertSessions();
        assertThat(given().get("/api/kpis/daily?from=2031-01-10&to=2031-01-11").then().statusCode(200)
                .extract().asString()).isEqualTo("["
                + "{\"day\":\"2031-01-10\",\"sessions\":3,\"users\":2,\"bounce_rate\":0.3333,\"avg_duration_ms\":120083,"
                + "\"revenue\":19.75,\"purchases\":2,\"page_views\":5},"
                + "{\"day\":\"2031-01-11\",\"sessions\":1,\"users\":1,\"bounce_rate\":0.0000,\"avg_duration_ms\":600000,"
                + "\"revenue\":0.00,\"purchases\":0,\"page_views\":3}]");
        assertThat(given().get("/api/kpis/daily?from=2031-01-11&to=2031-01-11").then().statusCode(200)
                .extract().asString()).startsWith("[{\"day\":\"2031-01-11\"").doesNotContain("2031-01-10");
    }

    @Test
    void userDailyKpis() throws Exception {
        insertSessions();
        assertThat(given().get("/api/users/it-hist-1/kpis/daily?from=2031-01-10&to=2031-01-11").then().statusCode(200)
                .extract().asString()).isEqualTo("["
                + "{\"user_id\":\"it-hist-1\",\"day\":\"2031-01-10\",\"sessions\":2,\"bounce_rate\":0.5000,"
                + "\"avg_duration_ms\":150125,\"revenue\":12.50,\"purchases\":1,\"page_views\":3},"
                + "{\"user_id\":\"it-hist-1\",\"day\":\"2031-01-11\",\"sessions\":1,\"bounce_rate\":0.0000,"
                + "\"avg_duration_ms\":600000,\"revenue\":0.00,\"purchases\":0,\"page_views\":3}]");
    }

    @Test
    void landingPagesAndChannels() throws Exception {
        insertSessions();
        assertThat(given().get("/api/kpis/landing-pages?day=2031-01-10").then().statusCode(200)
                .extract().asString()).isEqualTo("["
                + "{\"day\":\"2031-01-10\",\"landing_page\":\"/p/1\",\"landing_category\":\"shoes\",\"sessions\":2,"
                + "\"bounce_rate\":0.0000,\"revenue\":19.75},"
                + "{\"day\":\"2031-01-10\",\"landing_page\":\"/p/2\",\"landing_category\":null,\"sessions\":1,"
                + "\"bounce_rate\":1.0000,\"revenue\":0.00}]");
        assertThat(given().get("/api/kpis/landing-pages?day=2031-01-10&limit=1").then().statusCode(200)
                .extract().asString()).startsWith("[{\"day\":\"2031-01-10\",\"landing_page\":\"/p/1\"").doesNotContain("/p/2");
        assertThat(given().get("/api/kpis/channels?from=2031-01-10&to=2031-01-10").then().statusCode(200)
                .extract().asString()).isEqualTo("["
                + "{\"day\":\"2031-01-10\",\"channel\":\"google\",\"sessions\":2,\"users\":2,\"bounce_rate\":0.0000,"
                + "\"revenue\":19.75,\"purchases\":2},"
                + "{\"day\":\"2031-01-10\",\"channel\":\"(direct)\",\"sessions\":1,\"users\":1,\"bounce_rate\":1.0000,"
                + "\"revenue\":0.00,\"purchases\":0}]");
    }

    /**
     * Every KPI list is bounded: a missing bound is taken 366 days from the other, and with neither the range ends
     * on the last day with sessions (of the user, for a user's KPIs); a limit cuts the list.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/api/kpis/daily                                    | 2031-01-10,2031-01-11",
            "/api/kpis/daily?from=2031-01-11                    | 2031-01-11",
            "/api/kpis/daily?to=2031-01-10                      | 2031-01-10",
            "/api/kpis/daily?from=2030-01-11&to=2031-01-11      | 2031-01-10,2031-01-11",
            "/api/kpis/daily?limit=1                            | 2031-01-10",
            "/api/kpis/daily?from=2031-01-12                    | ''",
            "/api/users/it-hist-1/kpis/daily                    | 2031-01-10,2031-01-11",
            "/api/users/it-hist-2/kpis/daily                    | 2031-01-10",
            "/api/users/it-hist-1/kpis/daily?to=2031-01-10      | 2031-01-10",
            "/api/users/it-hist-1/kpis/daily?limit=1            | 2031-01-10",
            "/api/users/nobody-here/kpis/daily                  | ''",
            "/api/kpis/channels                                 | 2031-01-10,2031-01-10,2031-01-11",
            "/api/kpis/channels?from=2031-01-10&to=2031-01-11&limit=2 | 2031-01-10,2031-01-10",
    })
    void kpiListsAreBoundedByDaysAndLimit(String path, String days) throws Exception {
        insertSessions();
        List<String> actual = given().get(path).then().statusCode(200).extract().jsonPath().getList("day");
        assertThat(String.join(",", actual)).isEqualTo(days);
    }

    @Test
    void aLimitedChannelListKeepsTheOrderOfTheWholeList() throws Exception {
        insertSessions();
        assertThat(given().get("/api/kpis/channels?from=2031-01-10&to=2031-01-11&limit=1").then().statusCode(200)
                .extract().asString()).isEqualTo("["
                + "{\"day\":\"2031-01-10\",\"channel\":\"google\",\"sessions\":2,\"users\":2,\"bounce_rate\":0.0000,"
                + "\"revenue\":19.75,\"purchases\":2}]");
    }

    // ---- bad requests -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/api/users/u1/sessions?from=yesterday                      | from must be an RFC 3339 date-time",
            "/api/users/u1/sessions?to=2031-13-01                       | to must be an RFC 3339 date-time",
            "/api/users/u1/sessions?from=2031-01-11&to=2031-01-10T00:00:00Z | from must not be after to",
            "/api/users/u1/sessions?limit=0                             | limit must be from 1 to 1000",
            "/api/users/u1/sessions?limit=1001                          | limit must be from 1 to 1000",
            "/api/users/u1/sessions?limit=ten                           | limit must be an integer",
            "/api/kpis/daily?from=2031-01-11&to=2031-01-10              | from must not be after to",
            "/api/kpis/daily?from=20310110                              | from must be a date YYYY-MM-DD",
            "/api/users/u1/kpis/daily?to=2031-02-30                     | to must be a date YYYY-MM-DD",
            "/api/kpis/landing-pages                                    | day is required",
            "/api/kpis/landing-pages?day=2031-01-10&limit=-5            | limit must be from 1 to 1000",
            "/api/kpis/channels?from=2031-01-10&to=2031-01-09           | from must not be after to",
            "/api/kpis/daily?from=2030-01-10&to=2031-01-11              | from 2030-01-10 to 2031-01-11 spans 367 days; at most 366 days per request",
            "/api/users/u1/kpis/daily?from=2030-01-01&to=2031-12-31     | from 2030-01-01 to 2031-12-31 spans 730 days; at most 366 days per request",
            "/api/kpis/channels?from=2030-01-01&to=2031-01-10           | from 2030-01-01 to 2031-01-10 spans 375 days; at most 366 days per request",
            "/api/kpis/daily?limit=367                                  | limit must be from 1 to 366, was 367",
            "/api/users/u1/kpis/daily?limit=0                           | limit must be from 1 to 366, was 0",
            "/api/kpis/channels?limit=10001                             | limit must be from 1 to 10000, was 10001",
            "/api/kpis/channels?limit=all                               | limit must be an integer from 1 to 10000",
            "/api/users/LONG/sessions                                   | userId must have at most 256 characters",
            "/api/users/LONG/sessions/open                              | userId must have at most 256 characters",
            "/api/users/LONG/kpis/daily                                 | userId must have at most 256 characters",
    })
    void badParametersAre400WithAMessage(String path, String message) {
        Response r = given().get(path.replace("LONG", "u".repeat(257)));
        r.then().statusCode(400).contentType("application/json")
                .body("status", equalTo(400))
                .body("message", containsString(message));
    }

    @Test
    void userIdOfMaximumLengthIsAccepted() {
        given().get("/api/users/" + "u".repeat(256) + "/sessions").then().statusCode(200).body(equalTo("[]"));
    }

    // ---- open sessions, live from the state store ---------------------------------------------------

    @Test
    void openSessionsOfAUserAfterItsEvents() {
        awaitReady();
        Events.send("clickstream.events", List.of(
                Map.entry("it-open-1", Events.pageView("o1", "it-open-1", "2026-11-24T10:00:00Z", "https://shop.example.com/p/42?x=1")),
                Map.entry("it-open-1", Events.pageView("o2", "it-open-1", "2026-11-24T10:01:00.500Z", "/cart")),
                // 30 minutes and 0.5 s after the last one (more than the gap): a second session
                Map.entry("it-open-1", Events.pageView("o3", "it-open-1", "2026-11-24T10:31:01.000Z", "/p/7"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/api/users/it-open-1/sessions/open").then().statusCode(200)
                        .body("size()", equalTo(2)));
        Response r = given().get("/api/users/it-open-1/sessions/open");
        r.then().statusCode(200)
                .body("sort { it.session_start }.session_start", equalTo(List.of("2026-11-24T10:00:00.000Z", "2026-11-24T10:31:01.000Z")))
                .body("sort { it.session_start }.session_end", equalTo(List.of("2026-11-24T10:01:00.500Z", "2026-11-24T10:31:01.000Z")))
                .body("sort { it.session_start }.event_count", equalTo(List.of(2, 1)))
                .body("sort { it.session_start }.landing_page", equalTo(List.of("/p/42", "/p/7")))
                .body("sort { it.session_start }.exit_page", equalTo(List.of("/cart", "/p/7")))
                .body("sort { it.session_start }.duration_ms", equalTo(List.of(60500, 0)))
                .body("sort { it.session_start }.is_bounce", equalTo(List.of(false, true)))
                .body("closed_at", equalTo(java.util.Arrays.asList(null, null)))
                .body("user_id", equalTo(List.of("it-open-1", "it-open-1")));
        given().get("/api/users/nobody-here/sessions/open").then().statusCode(200).body(equalTo("[]"));
    }

    static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> management().get("/q/health/ready").statusCode() == 200);
    }

    /** Requests to the management interface (health, metrics), which is not the API's port. */
    static io.restassured.specification.RequestSpecification management() {
        return given().port(SessionizerTestResource.managementPort());
    }
}
