package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** What {@code package} leaves: the cluster job jar without Flink's runtime, and target/lib with everything. */
class PackagingIT {

    @Test
    void shadedJarHasTheJobAndItsConnectorsButNotFlinkOrLog4j() throws IOException {
        Path jar = Path.of("target/flink-sink-job-1.0.0-SNAPSHOT.jar");
        assertThat(jar).isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> entries = file.stream().map(e -> e.getName()).toList();
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(SessionSinkMain.class.getName());
            assertThat(entries).contains(
                    "com/acme/clickstream/flink/SessionSinkMain.class",
                    "org/apache/flink/connector/jdbc/core/datastream/sink/JdbcSink.class",
                    "org/apache/flink/connector/kafka/source/KafkaSource.class",
                    "org/apache/flink/connector/base/DeliveryGuarantee.class",
                    "org/apache/kafka/clients/consumer/KafkaConsumer.class",
                    "org/postgresql/xa/PGXADataSource.class",
                    "com/fasterxml/jackson/databind/ObjectMapper.class");
            assertThat(entries).noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/")
                    || e.startsWith("org/apache/flink/client/")
                    || e.startsWith("org/apache/flink/runtime/")
                    || e.startsWith("org/apache/logging/log4j/")
                    || e.startsWith("org/slf4j/")
                    || e.equals("log4j2.properties"));
        }
    }

    @Test
    void libHasEveryRuntimeDependencyForTheLocalRun() throws IOException {
        try (Stream<Path> lib = Files.list(Path.of("target/lib"))) {
            List<String> names = lib.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.startsWith("flink-streaming-java-"))
                    .anyMatch(n -> n.startsWith("flink-clients-"))
                    .anyMatch(n -> n.startsWith("flink-connector-jdbc-core-"))
                    .anyMatch(n -> n.startsWith("kafka-clients-"))
                    .anyMatch(n -> n.startsWith("postgresql-"))
                    .anyMatch(n -> n.startsWith("log4j-core-"))
                    .noneMatch(n -> n.startsWith("junit-") || n.startsWith("devstack-"));
        }
    }
}
