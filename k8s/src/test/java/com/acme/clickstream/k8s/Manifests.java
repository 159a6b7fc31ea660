package com.acme.clickstream.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The YAML documents of k8s/ (every *.yaml but kustomization.yaml), as JSON trees. */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** One document of a multi-document file. */
    record Doc(Path file, int index, ObjectNode tree) {
        String apiVersion() { return tree.path("apiVersion").asText(); }
        String kind() { return tree.path("kind").asText(); }
        String name() { return tree.path("metadata").path("name").asText(); }
        String namespace() { return tree.path("metadata").path("namespace").asText(); }
        JsonNode spec() { return tree.path("spec"); }
        @Override public String toString() { return file.getFileName() + "#" + index + " " + kind() + "/" + name(); }
    }

    private Manifests() {}

    static Path k8sDir() {
        return Path.of(System.getProperty("k8s.dir", ".")).toAbsolutePath().normalize();
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    }

    static List<Path> files() {
        try (Stream<Path> s = Files.list(k8sDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> all() {
        List<Doc> docs = new ArrayList<>();
        for (Path f : files()) docs.addAll(read(f));
        return docs;
    }

    static List<Doc> read(Path file) {
        try {
            return parse(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> parse(Path file, String yaml) {
        List<Doc> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            int i = 0;
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n == null || n.isNull() || n.isMissingNode()) continue;
                if (!n.isObject()) throw new IllegalStateException(file + "#" + i + " is not a mapping");
                docs.add(new Doc(file, i++, (ObjectNode) n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    static Doc one(String kind, String name) {
        return find(d -> d.kind().equals(kind) && d.name().equals(name))
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in k8s/"));
    }

    static Optional<Doc> find(Predicate<Doc> p) {
        return all().stream().filter(p).findFirst();
    }

    static List<Doc> ofKind(String kind) {
        return all().stream().filter(d -> d.kind().equals(kind)).toList();
    }
}
