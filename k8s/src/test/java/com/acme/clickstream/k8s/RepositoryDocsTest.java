package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: a reader of a fresh clone can follow every link of its markdown
 * files, and no file sends anyone to a document outside the repository or to a folder of one
 * particular build machine.
 */
class RepositoryDocsTest {
    /** Inline markdown links and images: [text](target) / ![alt](target), with an optional "title". */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

    /**
     * Text that points outside the repository. Split so that this file does not contain them itself.
     * The contract used to live in a folder beside the repository; the build machines' checkouts lived
     * under one absolute root.
     */
    private static final List<String> FORBIDDEN = List.of(
            "../" + "shared", "/" + "work/", "STACK" + ".md", "shared/" + "CONTRACT");

    /**
     * Versioned Flyway migrations are immutable once applied: Flyway checksums every line, comments
     * included, so editing the comment of an applied migration would fail the validation of every
     * existing database. Their first comment names the contract's former location; the contract is
     * docs/contract.md.
     */
    private static final Pattern IMMUTABLE = Pattern.compile("V\\d+__.*\\.sql");

    private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules", "bench-report");

    @Test
    void everyRelativeLinkOfEveryMarkdownFileResolvesInsideTheRepository() {
        Path root = Manifests.repoRoot();
        List<Path> markdown = files(root).stream().filter(p -> p.toString().endsWith(".md")).toList();
        assertThat(markdown).as("markdown files under " + root)
                .contains(root.resolve("README.md"), root.resolve("docs/contract.md"));

        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Path md : markdown) {
            for (String target : links(read(md))) {
                if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto: — outside by design
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Optional<String> anchor = hash < 0 ? Optional.empty() : Optional.of(target.substring(hash + 1));
                Path resolved = file.isEmpty() ? md : md.getParent().resolve(file).normalize();
                String where = root.relativize(md) + " -> " + target;
                if (!resolved.startsWith(root)) {
                    broken.add(where + " (leaves the repository)");
                } else if (!Files.exists(resolved)) {
                    broken.add(where + " (no such file)");
                } else if (anchor.isPresent() && resolved.toString().endsWith(".md")
                        && !anchors.computeIfAbsent(resolved, p -> anchors(read(p))).contains(anchor.get())) {
                    broken.add(where + " (no such heading)");
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void noFileNamesAPathOutsideTheRepository() {
        Path root = Manifests.repoRoot();
        Path self = root.resolve("k8s/src/test/java/com/acme/clickstream/k8s/RepositoryDocsTest.java");
        List<String> found = new ArrayList<>();
        for (Path file : files(root)) {
            if (file.equals(self) || IMMUTABLE.matcher(file.getFileName().toString()).matches()) {
                continue;
            }
            Optional<String> text = readText(file);
            if (text.isEmpty()) {
                continue;
            }
            for (String forbidden : FORBIDDEN) {
                if (text.get().contains(forbidden)) {
                    found.add(root.relativize(file) + ": " + forbidden);
                }
            }
        }
        assertThat(found).as("references to places outside the repository").isEmpty();
    }

    @Test
    void theCheckItselfFindsABrokenLinkAndAnAnchor() {
        String text = """
                # Title with `code`, and more!
                See [a](#title-with-code-and-more) and [b](other.md#x "t"), ![img](pic.png).
                ```
                [not a link](nowhere.md)
                ```
                ## Title with `code`, and more!
                """;
        assertThat(links(text)).containsExactly("#title-with-code-and-more", "other.md#x", "pic.png");
        assertThat(anchors(text)).containsExactly("title-with-code-and-more", "title-with-code-and-more-1");
    }

    /** Link targets outside fenced code blocks and inline code spans. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    private static final Pattern EXPLICIT_ANCHOR = Pattern.compile("<a id=\"([^\"]+)\"></a>");

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                // Explicit anchors (<a id="..."></a>) mark a paragraph that has no heading of its own.
                Matcher explicit = EXPLICIT_ANCHOR.matcher(line);
                while (explicit.find()) {
                    anchors.add(explicit.group(1));
                }
            }
            Matcher m = HEADING.matcher(line);
            if (fenced || !m.matches()) {
                continue;
            }
            String slug = m.group(1).toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    /** The repository's own files: no build output, no VCS or IDE folders, no local-stack state. */
    private static List<Path> files(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> root.relativize(p).getNameCount() > 0)
                    .filter(p -> {
                        for (Path part : root.relativize(p).getParent() == null ? List.<Path>of()
                                : iterable(root.relativize(p).getParent())) {
                            String name = part.toString();
                            if (SKIPPED_DIRS.contains(name) || name.startsWith("target-")
                                    || (name.startsWith(".") && !name.equals(".ci"))) {
                                return false;
                            }
                        }
                        return !p.getFileName().toString().startsWith(".") || p.getFileName().toString().equals(".gitignore");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> iterable(Path path) {
        List<Path> parts = new ArrayList<>();
        path.forEach(parts::add);
        return parts;
    }

    private static String read(Path file) {
        return readText(file).orElseThrow(() -> new IllegalStateException(file + " is not UTF-8 text"));
    }

    /** The file as UTF-8 text; empty for binaries. */
    private static Optional<String> readText(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            for (byte b : bytes) {
                if (b == 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString());
        } catch (MalformedInputException e) {
            return Optional.empty();
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
