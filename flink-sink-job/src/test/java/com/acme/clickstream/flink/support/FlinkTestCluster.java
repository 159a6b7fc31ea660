package com.acme.clickstream.flink.support;

import java.util.List;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.util.MiniClusterPipelineExecutorServiceLoader;

/**
 * One Flink MiniCluster per test JVM, shared by every test class (like devstack's TestServers), bound to
 * 127.0.0.1, with its temporary files under java.io.tmpdir (target/tmp) and the {@link CapturedMetrics} reporter.
 * {@code StreamExecutionEnvironment.getExecutionEnvironment(conf)} submits to it once {@link #start()} ran.
 */
public final class FlinkTestCluster {
    public static final int PARALLELISM = 2;
    private static MiniCluster cluster;

    private FlinkTestCluster() {}

    public static synchronized MiniCluster start() {
        if (cluster == null) {
            Configuration conf = new Configuration();
            conf.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
            conf.set(JobManagerOptions.ADDRESS, "127.0.0.1");
            conf.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
            conf.set(TaskManagerOptions.HOST, "127.0.0.1");
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
            conf.set(RestOptions.BIND_PORT, "0");
            conf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
            conf.setString("metrics.reporter.capture.factory.class", CapturedMetrics.Factory.class.getName());
            MiniCluster mini = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(conf)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(8)
                    .build());
            try {
                mini.start();
            } catch (Exception e) {
                throw new IllegalStateException("MiniCluster did not start", e);
            }
            ClusterEnvironment.setAsContext(mini);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    mini.close();
                } catch (Exception ignored) {
                    // JVM exit
                }
            }, "stop-test-minicluster"));
            cluster = mini;
        }
        return cluster;
    }

    /**
     * Flink's TestStreamEnvironment without its randomised settings (which need JUnit 4): jobs built from
     * {@code getExecutionEnvironment(conf)} run on the shared cluster with exactly the configuration given.
     */
    private static final class ClusterEnvironment extends StreamExecutionEnvironment {
        ClusterEnvironment(MiniCluster mini, Configuration conf) {
            super(new MiniClusterPipelineExecutorServiceLoader(mini),
                    MiniClusterPipelineExecutorServiceLoader.updateConfigurationForMiniCluster(conf, List.of(),
                            List.of()), null);
            setParallelism(PARALLELISM);
        }

        static void setAsContext(MiniCluster mini) {
            initializeContextEnvironment(conf -> {
                ClusterEnvironment env = new ClusterEnvironment(mini, conf);
                env.configure(conf, env.getUserClassloader());
                return env;
            });
        }
    }
}
