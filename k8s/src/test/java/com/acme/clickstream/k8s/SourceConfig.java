package com.acme.clickstream.k8s;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration names that the code of the other modules really reads, taken from their sources,
 * so that a misspelt environment variable in a manifest fails a test instead of being ignored.
 */
final class SourceConfig {
    private SourceConfig() {}

    static final Path SESSIONIZER_PROPERTIES = Path.of("sessionizer/src/main/resources/application.properties");
    static final Path SESSIONIZER_CONFIG = Path.of("sessionizer/src/main/java/com/acme/clickstream/sessionizer/config");
    static final Path SESSIONIZER_SOURCES = Path.of("sessionizer/src/main/java");
    static final Path FLINK_SOURCES = Path.of("flink-sink-job/src/main/java/com/acme/clickstream/flink");

    /**
     * Quarkus built-in properties that the manifests may set although application.properties does not
     * mention them. Keep it small; each entry says why.
     */
    static final Map<String, String> QUARKUS_BUILT_INS = Map.of(
            // Root log level, to raise verbosity of one instance while debugging.
            "quarkus.log.level", "quarkus-core",
            // The address advertised to Kafka Streams (quarkus-kafka-streams); also in application.properties.
            "quarkus.kafka-streams.application-server", "quarkus-kafka-streams",
            // Migrations at start (quarkus-flyway); the manifests switch it off explicitly.
            "quarkus.flyway.migrate-at-start", "quarkus-flyway",
            // The OIDC provider whose bearer tokens /api accepts (quarkus-oidc), set per deployment.
            "quarkus.oidc.auth-server-url", "quarkus-oidc");

    /** MicroProfile Config's environment variable name of a property. */
    static String env(String property) {
        StringBuilder b = new StringBuilder();
        for (char c : property.toCharArray()) b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        return b.toString();
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    static Path repo(Path relative) {
        return Manifests.repoRoot().resolve(relative);
    }

    static boolean sessionizerConfigPresent() {
        return Files.isRegularFile(repo(SESSIONIZER_PROPERTIES)) && Files.isDirectory(repo(SESSIONIZER_CONFIG));
    }

    /** The value application.properties gives a property (no profile). */
    static String sessionizerProperty(String key) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(repo(SESSIONIZER_PROPERTIES))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = p.getProperty(key);
        if (value == null) throw new AssertionError(key + " is not in " + SESSIONIZER_PROPERTIES);
        return value.trim();
    }

    private static final Pattern REF = Pattern.compile("\\$\\{([^:}$]+)");

    /** Keys of application.properties (profile prefix removed) and the names its values reference. */
    static Set<String> applicationProperties() {
        Set<String> names = new TreeSet<>();
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(repo(SESSIONIZER_PROPERTIES))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : p.stringPropertyNames()) {
            names.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            Matcher m = REF.matcher(p.getProperty(key));
            while (m.find()) names.add(m.group(1).trim());
        }
        return names;
    }

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern METHOD = Pattern.compile(
            "(?:@WithName\\s*\\(\\s*\"([^\"]+)\"\\s*\\)[^;{}]*?)?\\b[\\w.<>?, \\[\\]]+\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"([^\"]+)\"");

    /** prefix + "." + kebab-case method name (or @WithName) of every @ConfigMapping interface. */
    static Set<String> configMappings() {
        Set<String> names = new TreeSet<>();
        for (Path f : javaFiles(repo(SESSIONIZER_CONFIG))) {
            String src = read(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
            Matcher pm = MAPPING.matcher(src);
            if (!pm.find()) continue;
            String prefix = pm.group(1);
            String body = src.substring(src.indexOf('{', pm.end()) + 1);
            Matcher mm = METHOD.matcher(body);
            while (mm.find()) {
                names.add(prefix + "." + (mm.group(1) != null ? mm.group(1) : kebab(mm.group(2))));
            }
        }
        return names;
    }

    /** Names read with @ConfigProperty anywhere in the sessionizer. */
    static Set<String> configProperties() {
        Set<String> names = new TreeSet<>();
        for (Path f : javaFiles(repo(SESSIONIZER_SOURCES))) {
            Matcher m = CONFIG_PROPERTY.matcher(read(f));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    /** Every environment variable name that the sessionizer reads. */
    static Set<String> sessionizerEnvNames() {
        Set<String> props = new TreeSet<>(applicationProperties());
        props.addAll(configMappings());
        props.addAll(configProperties());
        props.addAll(QUARKUS_BUILT_INS.keySet());
        Set<String> env = new TreeSet<>();
        for (String p : props) env.add(env(p));
        return env;
    }

    static Optional<Path> sinkJobConfig() {
        Path dir = repo(FLINK_SOURCES);
        if (!Files.isDirectory(dir)) return Optional.empty();
        return javaFiles(dir).stream().filter(p -> p.getFileName().toString().equals("SinkJobConfig.java")).findFirst();
    }

    private static final Pattern ENV_LITERAL = Pattern.compile("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,})\"");

    /**
     * Upper-case string literals of SinkJobConfig's package (SinkJobConfig and its Setting enum): the
     * environment variables the job reads.
     */
    static Set<String> flinkEnvNames(Path sinkJobConfig) {
        Set<String> names = new TreeSet<>();
        for (Path f : javaFiles(sinkJobConfig.getParent())) {
            Matcher m = ENV_LITERAL.matcher(read(f));
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
