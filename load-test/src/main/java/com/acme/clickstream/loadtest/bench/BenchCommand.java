package com.acme.clickstream.loadtest.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.stack.Artifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Sustained-throughput run on a fresh local stack (exactly-once everywhere) plus baselines on the",
                "same events; writes report.html and ends with one RESULT line."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--project-dir", description = "repository root with the built sessionizer and Flink job"
            + " (default: the clickstream.home system property, else the current directory)")
    Path projectDir;
    @Option(names = "--sessionizer-jar", description = "default: <project-dir>/sessionizer/target/quarkus-app/quarkus-run.jar")
    Path sessionizerJar;
    @Option(names = "--flink-classes", description = "default: <project-dir>/flink-sink-job/target/classes")
    Path flinkClasses;
    @Option(names = "--flink-lib", description = "default: <project-dir>/flink-sink-job/target/lib")
    Path flinkLib;
    @Option(names = "--report-dir", description = "default: <project-dir>/target/bench-report/<timestamp>")
    Path reportDir;
    @Option(names = "--rate", defaultValue = "2000", description = "events/s offered")
    double rate;
    @Option(names = "--duration", defaultValue = "PT3M")
    Duration duration;
    @Option(names = "--users", defaultValue = "20000")
    int users;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--event-partitions", defaultValue = "4")
    int eventPartitions;
    @Option(names = "--checkpoint-interval", defaultValue = "PT2S")
    Duration checkpointInterval;
    @Option(names = "--inactivity-gap", defaultValue = "PT20S")
    Duration gap;
    @Option(names = "--grace", defaultValue = "PT5S")
    Duration grace;
    @Option(names = "--idle-advance-after", defaultValue = "PT5S")
    Duration idleAdvanceAfter;
    @Option(names = "--settle-timeout", defaultValue = "PT3M")
    Duration settleTimeout;
    @Option(names = "--sink-batch", defaultValue = "500")
    int sinkBatch;

    @Override
    public Integer call() throws Exception {
        Path project = projectDir != null ? projectDir : Path.of(System.getProperty("clickstream.home", "."));
        Path report = reportDir != null ? reportDir : defaultReportDir(project, LocalDateTime.now());
        SessionRules rules = SessionRules.defaults().withInactivityGap(gap).withGrace(grace)
                .withMaxDuration(Duration.ofHours(1)).withDedupWindow(Duration.ofMinutes(5));
        Artifacts built = Artifacts.in(project.toAbsolutePath());
        Artifacts artifacts = new Artifacts(sessionizerJar != null ? sessionizerJar : built.sessionizerJar(),
                flinkClasses != null ? flinkClasses : built.flinkClasses(), flinkLib != null ? flinkLib : built.flinkLib());
        BenchResult r = Bench.run(new BenchConfig(artifacts, report.toAbsolutePath(), rate, duration, users,
                seed, eventPartitions, checkpointInterval, rules, idleAdvanceAfter, settleTimeout, sinkBatch), System.out::println);
        System.out.println(r.resultLine());
        return r.verified() ? 0 : 1;
    }

    /**
     * Under the repository's build output, which git ignores (target/ in .gitignore) and mvn clean
     * removes: a bench leaves nothing in the working tree.
     */
    public static Path defaultReportDir(Path project, LocalDateTime now) {
        return project.resolve("target").resolve("bench-report")
                .resolve(now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /** The report directory a bench started now from this project would use, with a placeholder for the timestamp. */
    public static Path reportDirPattern(Path project) {
        return project.resolve("target").resolve("bench-report").resolve("<yyyyMMdd-HHmmss>");
    }
}
