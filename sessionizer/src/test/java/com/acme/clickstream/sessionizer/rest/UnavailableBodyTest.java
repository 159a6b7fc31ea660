package com.acme.clickstream.sessionizer.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

import javax.sql.DataSource;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.devstack.FreePorts;
import com.acme.clickstream.sessionizer.config.ApiConfig;
import com.acme.clickstream.sessionizer.streams.SessionRules;

/**
 * 503 bodies tell the caller to come back, never where the peers are or what an exception said: those are for
 * the operator's log.
 */
class UnavailableBodyTest {
    static final ApiConfig API = (ApiConfig) Proxy.newProxyInstance(ApiConfig.class.getClassLoader(),
            new Class<?>[] {ApiConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                case "forwardTimeout" -> Duration.ofSeconds(2);
                case "retryAfterSeconds" -> 2;
                case "maxDays" -> 366;
                case "maxRows" -> 10000;
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void anUnreachableOwnerIsNotNamed() {
        OpenSessionsResource resource = new OpenSessionsResource(unresolvable(), unresolvable(), API, SessionRules.defaults());
        int port = FreePorts.next();
        ApiException e = catchThrowableOfType(ApiException.class,
                () -> resource.forward(new HostInfo("127.0.0.1", port), "u1", null));
        ApiError body = body(e);
        assertThat(body).isEqualTo(new ApiError(503, "Service Unavailable",
                "the instance owning this user did not answer"));
        assertThat(e.detail()).isEqualTo("owner 127.0.0.1:" + port);
    }

    @Test
    void kafkaStreamsNotRunningIsSaidWithoutDetail() {
        OpenSessionsResource resource = new OpenSessionsResource(unresolvable(), unresolvable(), API, SessionRules.defaults());
        ApiError body = body(catchThrowableOfType(ApiException.class, () -> resource.open("u1", false, null)));
        assertThat(body.message())
                .isEqualTo("open sessions are unavailable while Kafka Streams rebalances: Kafka Streams is not configured");
    }

    @Test
    void aDatabaseFailureCarriesNeitherAddressNorDriverText() {
        DataSource down = new FailingDataSource(new SQLException(
                "Connection to 10.1.2.3:5432 refused. Check that the hostname and port are correct", "08001"));
        SessionsDatabase db = new SessionsDatabase(down, API);
        ApiException e = catchThrowableOfType(ApiException.class, () -> db.latestDay(Optional.empty()));
        assertThat(body(e)).isEqualTo(new ApiError(503, "Service Unavailable",
                "PostgreSQL is not available; finished sessions and KPIs cannot be read right now"));
        assertThat(e.detail()).isEqualTo("SQL state 08001");
        assertThat(e.getCause()).hasMessageContaining("10.1.2.3");
    }

    private static ApiError body(ApiException e) {
        Response response = new ApiExceptionMapper().toResponse(e);
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("2");
        return (ApiError) response.getEntity();
    }

    @SuppressWarnings("unchecked")
    static <T> Instance<T> unresolvable() {
        return (Instance<T>) Proxy.newProxyInstance(Instance.class.getClassLoader(), new Class<?>[] {Instance.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("isResolvable")) {
                        return false;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private record FailingDataSource(SQLException failure) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw failure;
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw failure;
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
