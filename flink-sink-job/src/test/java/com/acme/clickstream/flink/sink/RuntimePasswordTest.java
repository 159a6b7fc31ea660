package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import com.acme.clickstream.flink.config.SecretRef;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Both sinks read the PostgreSQL password where they connect, from that process's environment or file. */
class RuntimePasswordTest {

    @Test
    void theDeadLetterSinksProviderAddsThePasswordWhenItConnects() throws Exception {
        JdbcConnectionOptions options = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl("jdbc:postgresql://db:5432/clickstream").withUsername("clickstream_sink").build();
        // PATH: a variable this process has, standing for JDBC_PASSWORD on a TaskManager.
        var provider = new SessionSinks.RuntimePasswordConnectionProvider(options,
                SecretRef.environment("the PostgreSQL password", "PATH"));
        assertThat(provider.getProperties().getProperty("password")).isEqualTo(System.getenv("PATH"));
        assertThat(provider.getProperties().getProperty("user")).isEqualTo("clickstream_sink");
        assertThat(options.getProperties()).as("the serialized options stay without it").doesNotContainKey("password");

        var copy = InstantiationUtil.clone(provider);
        assertThat(copy.getProperties().getProperty("password")).isEqualTo(System.getenv("PATH"));

        var none = new SessionSinks.RuntimePasswordConnectionProvider(options, null);
        assertThat(none.getProperties()).doesNotContainKey("password");
    }

    @Test
    void aMissingVariableFailsTheConnectionNamingIt() {
        String unset = "FLINK_SINK_JOB_TEST_UNSET_" + UUID.randomUUID().toString().replace('-', '_');
        PgConnectionSettings settings = new PgConnectionSettings("jdbc:postgresql://127.0.0.1:9/db", "clickstream_sink",
                SecretRef.environment("the PostgreSQL password", unset), "test");
        assertThatThrownBy(settings::dataSource).isInstanceOf(SecretRef.MissingSecretException.class)
                .hasMessageStartingWith("the PostgreSQL password: the environment variable " + unset + " is not set");
        assertThat(settings.toString()).contains("password=env:" + unset);

        JdbcConnectionOptions options = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl("jdbc:postgresql://127.0.0.1:9/db").build();
        var provider = new SessionSinks.RuntimePasswordConnectionProvider(options,
                SecretRef.environment("the PostgreSQL password", unset));
        assertThatThrownBy(provider::getOrEstablishConnection).isInstanceOf(SecretRef.MissingSecretException.class)
                .hasMessageContaining(unset);
    }
}
