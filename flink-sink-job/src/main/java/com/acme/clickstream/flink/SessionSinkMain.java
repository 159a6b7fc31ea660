package com.acme.clickstream.flink;

import java.util.Arrays;

import com.acme.clickstream.flink.config.InvalidConfigException;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.local.JobEnvironments;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.sink.SinkPreflight;
import com.acme.clickstream.flink.source.SessionSources;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point: reads the configuration, and wires the Kafka source and the exactly-once sink into {@link SessionSinkJob}.
 * With {@code flink run} (or the Kubernetes Operator) the job goes to that cluster; started with {@code java}, it
 * runs on a local mini-cluster and resumes from the newest checkpoint under {@code --checkpoint-dir}.
 */
public final class SessionSinkMain {
    private SessionSinkMain() {}

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println("flink-sink-job: sessions from Kafka into PostgreSQL, exactly once. Settings "
                    + "(argument / environment variable; the argument wins):" + SinkJobConfig.usage());
            return;
        }
        SinkJobConfig config;
        StreamExecutionEnvironment env;
        try {
            config = SinkJobConfig.fromArgs(args, System.getenv());
            env = JobEnvironments.create(config);
            // The environment knows the parallelism the job will run at (the cluster's default when unset).
            SinkPreflight.verify(config, config.parallelismOr(env.getParallelism() > 0 ? env.getParallelism()
                    : SinkJobConfig.DEFAULT_PARALLELISM));
        } catch (InvalidConfigException e) {
            System.err.println("flink-sink-job: " + e.getMessage());
            System.exit(2);
            return;
        }
        new SessionSinkJob(config).build(env, SessionSources.kafka(config), SessionSinks.exactlyOnce(config));
        env.execute("flink-sink-job: " + config.topic() + " -> sessions");
    }
}
