package com.acme.clickstream.flink.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.SessionSinkJob;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Submits the job to the shared test MiniCluster. */
public final class Jobs {
    private Jobs() {}

    /** A configuration for the tests: test servers, parallelism 2, checkpoints every 300 ms. */
    public static SinkJobConfig.Builder config(String topic, Database db, Path checkpoints) {
        return SinkJobConfig.builder()
                .bootstrapServers(TestServers.kafka().bootstrapServers())
                .topic(topic)
                .groupId("group-" + topic)
                .jdbcUrl(db.sinkJdbcUrl())
                .checkpointInterval(Duration.ofMillis(300))
                .checkpointTimeout(Duration.ofSeconds(20))
                .checkpointDir(checkpoints.toString())
                .parallelism(FlinkTestCluster.PARALLELISM);
    }

    public static JobClient start(SinkJobConfig config, Sink<SessionRow> sink) throws Exception {
        return start(config, sink, null);
    }

    /** Starts the job, from {@code restorePath} (a retained checkpoint) when not null, and waits until it runs. */
    public static JobClient start(SinkJobConfig config, Sink<SessionRow> sink, String restorePath) throws Exception {
        return start(config, sink, restorePath, env -> {});
    }

    /** As above, with {@code adjust} applied to the environment before the job is built (e.g. chaining off). */
    public static JobClient start(SinkJobConfig config, Sink<SessionRow> sink, String restorePath,
            java.util.function.Consumer<StreamExecutionEnvironment> adjust) throws Exception {
        FlinkTestCluster.start();
        Configuration conf = new Configuration();
        if (restorePath != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        adjust.accept(env);
        new SessionSinkJob(config).build(env, SessionSources.kafka(config), sink);
        return submitAndAwaitRunning(env, config);
    }

    /**
     * As {@link #start(SinkJobConfig, Sink)}, with {@code after} applied to the environment once the job is built: it
     * can override what the job sets (e.g. its restart strategy).
     */
    public static JobClient startThen(SinkJobConfig config, Sink<SessionRow> sink,
            java.util.function.Consumer<StreamExecutionEnvironment> after) throws Exception {
        FlinkTestCluster.start();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        new SessionSinkJob(config).build(env, SessionSources.kafka(config), sink);
        after.accept(env);
        return submitAndAwaitRunning(env, config);
    }

    private static JobClient submitAndAwaitRunning(StreamExecutionEnvironment env, SinkJobConfig config)
            throws Exception {
        JobClient client = env.executeAsync("test " + config.topic());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.getJobStatus().get() != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job not running: " + client.getJobStatus().get());
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return client;
    }

    public static void cancel(JobClient client) throws Exception {
        if (client != null && !client.getJobStatus().get().isGloballyTerminalState()) {
            client.cancel().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!client.getJobStatus().get().isGloballyTerminalState() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }
}
