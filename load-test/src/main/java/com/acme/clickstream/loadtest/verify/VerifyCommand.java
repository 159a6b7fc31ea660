package com.acme.clickstream.loadtest.verify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.acme.clickstream.loadtest.KafkaOptions;
import com.acme.clickstream.loadtest.SessionRuleOptions;
import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Reconciles the sessions table, the DLQ and the late topic against the records under --in."
                + " Exit code 0 = everything matches, 1 = differences (listed).")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--in", defaultValue = "loadtest-data", description = "directory generate wrote")
    Path in;
    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres")
    String jdbcUrl;
    @Option(names = "--jdbc-user")
    String jdbcUser;
    @Option(names = "--jdbc-password")
    String jdbcPassword;
    @Option(names = "--table", defaultValue = "sessions")
    String table;
    @Option(names = "--no-topics", description = "skip the DLQ/late topic checks (then --partitions is required)")
    boolean noTopics;
    @Option(names = "--partitions", defaultValue = "0", description = "partitions of the events topic; 0 = ask the broker")
    int partitions;
    @Option(names = "--await", defaultValue = "PT0S", description = "keep checking until it matches or this time has passed")
    Duration await;
    @Mixin
    KafkaOptions kafka;
    @Mixin
    SessionRuleOptions ruleOptions;

    @Override
    public Integer call() {
        Topics topics = kafka.topics();
        VerifyConfig config = new VerifyConfig(in, jdbcUrl, jdbcUser, jdbcPassword, table,
                noTopics ? null : kafka.bootstrapServers, topics, partitions, ruleOptions.rules(), await);
        VerifyReport report = Verifier.verify(config, System.out::println);
        System.out.println(report.summary());
        return report.ok() ? 0 : 1;
    }
}
