package com.acme.clickstream.loadtest.stack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built services the stack runs: the sessionizer's Quarkus fast-jar and the Flink job's classes and
 * dependency jars, as {@code mvn package} leaves them in the repository.
 */
public record Artifacts(Path sessionizerJar, Path flinkClasses, Path flinkLib) {

    public Artifacts {
        sessionizerJar = sessionizerJar.toAbsolutePath().normalize();
        flinkClasses = flinkClasses.toAbsolutePath().normalize();
        flinkLib = flinkLib.toAbsolutePath().normalize();
    }

    /** Where a build of the repository at {@code projectDir} puts them. */
    public static Artifacts in(Path projectDir) {
        return new Artifacts(projectDir.resolve("sessionizer/target/quarkus-app/quarkus-run.jar"),
                projectDir.resolve("flink-sink-job/target/classes"),
                projectDir.resolve("flink-sink-job/target/lib"));
    }

    public String flinkClasspath() {
        return flinkClasses + File.pathSeparator + flinkLib + File.separator + "*";
    }

    /** Fails with what is missing and how to build it. */
    public void check() {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(sessionizerJar)) {
            missing.add(sessionizerJar.toString());
        }
        if (!Files.isDirectory(flinkClasses.resolve("com/acme/clickstream/flink"))) {
            missing.add(flinkClasses + " (with com/acme/clickstream/flink)");
        }
        if (!Files.isDirectory(flinkLib)) {
            missing.add(flinkLib.toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the sessionizer and the Flink job must be built first; missing: "
                    + String.join(", ", missing) + ". Build them with `mvn -DskipTests package` at the repository root.");
        }
    }
}
