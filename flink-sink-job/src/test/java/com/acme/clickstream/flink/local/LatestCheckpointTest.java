package com.acme.clickstream.flink.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import com.acme.clickstream.flink.config.SinkJobConfig;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatestCheckpointTest {

    @Test
    void newestCompleteCheckpointAcrossJobIds(@TempDir Path dir) throws Exception {
        assertThat(LatestCheckpoint.find(dir.resolve("none").toUri().toString())).isEmpty();
        checkpoint(dir, "aaaa", 7, Instant.parse("2026-11-24T10:00:00Z"), true);
        checkpoint(dir, "bbbb", 3, Instant.parse("2026-11-24T11:00:00Z"), true);
        checkpoint(dir, "bbbb", 4, Instant.parse("2026-11-24T12:00:00Z"), false); // never completed
        Files.createDirectories(dir.resolve("bbbb/shared"));
        Optional<LatestCheckpoint.Found> found = LatestCheckpoint.find(dir.toUri().toString());
        assertThat(found).isPresent();
        assertThat(found.get().jobId()).isEqualTo("bbbb");
        assertThat(found.get().checkpointId()).isEqualTo(3);
        assertThat(found.get().path()).endsWith("bbbb/chk-3");
    }

    @Test
    void localRunsBindToLoopbackAndResume(@TempDir Path dir) {
        SinkJobConfig config = SinkJobConfig.builder().bootstrapServers("127.0.0.1:9092")
                .jdbcUrl("jdbc:postgresql://127.0.0.1/x").checkpointDir(dir.toString())
                .localTmpDir(dir.resolve("tmp").toString()).build();
        Configuration conf = JobEnvironments.localConfiguration(config,
                Optional.of(new LatestCheckpoint.Found("file:/c/j/chk-9", "j", 9, 0)));
        assertThat(conf.get(JobManagerOptions.BIND_HOST)).isEqualTo("127.0.0.1");
        assertThat(conf.get(RestOptions.BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(conf.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo("file:/c/j/chk-9");
        assertThat(Files.isDirectory(dir.resolve("tmp"))).isTrue();
        assertThat(JobEnvironments.localConfiguration(config, Optional.empty())
                .getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
    }

    private static void checkpoint(Path root, String job, int n, Instant at, boolean complete) throws Exception {
        Path chk = Files.createDirectories(root.resolve(job).resolve("chk-" + n));
        if (complete) {
            Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
            Files.setLastModifiedTime(metadata, FileTime.from(at));
        }
    }
}
