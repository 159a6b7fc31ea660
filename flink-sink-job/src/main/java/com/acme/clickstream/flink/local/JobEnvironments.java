package com.acme.clickstream.flink.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.acme.clickstream.flink.SessionSinkJob;
import com.acme.clickstream.flink.config.InvalidConfigException;
import com.acme.clickstream.flink.config.Setting;
import com.acme.clickstream.flink.config.SinkJobConfig;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution environment of {@code SessionSinkMain}. Under {@code flink run} or the Kubernetes Operator the
 * context's environment (the cluster, which also decides where a job resumes: {@code flink run -s}, the
 * operator's last-state upgrade mode). Started directly with {@code java}, a local mini-cluster: bound to
 * 127.0.0.1, its temporary files under {@code --local-tmp-dir}, resuming from the newest complete checkpoint
 * under {@code --checkpoint-dir} (required then), so that a restart of the local stack continues exactly once.
 */
public final class JobEnvironments {
    private static final Logger LOG = LoggerFactory.getLogger(JobEnvironments.class);
    private static final String LOOPBACK = "127.0.0.1";

    private JobEnvironments() {}

    public static StreamExecutionEnvironment create(SinkJobConfig config) {
        Configuration jobConfiguration = SessionSinkJob.configuration(config);
        if (!(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment)) {
            return StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration);
        }
        String checkpoints = config.checkpointUri().orElseThrow(() -> new InvalidConfigException(
                Setting.CHECKPOINT_DIR.label() + " is required when the job runs locally (started with java, not "
                        + "flink run): the job resumes from the newest checkpoint there"));
        Optional<LatestCheckpoint.Found> latest;
        try {
            latest = LatestCheckpoint.find(checkpoints);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read " + Setting.CHECKPOINT_DIR.label() + " '" + checkpoints
                    + "': " + e, e);
        }
        return StreamExecutionEnvironment.createLocalEnvironment(localConfiguration(config, latest));
    }

    /** The configuration of the local mini-cluster and of the job on it. */
    public static Configuration localConfiguration(SinkJobConfig config, Optional<LatestCheckpoint.Found> resume) {
        Configuration conf = SessionSinkJob.configuration(config);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        conf.set(RestOptions.ADDRESS, LOOPBACK);
        conf.set(RestOptions.BIND_PORT, String.valueOf(config.restPort()));
        int parallelism = config.parallelismOr(SinkJobConfig.DEFAULT_PARALLELISM);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        Path tmp = Path.of(config.localTmpDir()).toAbsolutePath();
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("cannot create " + Setting.LOCAL_TMP_DIR.label() + " " + tmp, e));
        }
        // Flink's blobs, spill files and its ~20 MB RPC jar go here instead of java.io.tmpdir.
        conf.set(CoreOptions.TMP_DIRS, tmp.toString());
        if (resume.isPresent()) {
            LatestCheckpoint.Found found = resume.get();
            LOG.info("Resuming from checkpoint {} of job {} ({})", found.checkpointId(), found.jobId(), found.path());
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, found.path());
            // The new job owns the checkpoint: it is deleted once a newer one completes, so that local restarts
            // do not pile up checkpoints of earlier job ids.
            conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        } else {
            LOG.info("No checkpoint under {}: starting from the consumer group's committed offsets",
                    config.checkpointUri().orElse("?"));
        }
        return conf;
    }
}
