package com.acme.clickstream.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The schema module's Flyway migrations and their copy in k8s/migrations. */
final class MigrationFiles {
    private MigrationFiles() {}

    static Path schemaDir() {
        return Manifests.repoRoot().resolve("schema/src/main/resources/db/migration");
    }

    static Path k8sDir() {
        return Manifests.k8sDir().resolve("migrations");
    }

    static List<Path> schemaMigrations() {
        return sql(schemaDir());
    }

    static List<Path> k8sCopies() {
        return sql(k8sDir());
    }

    static List<Path> sql(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
