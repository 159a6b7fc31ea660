package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.acme.clickstream.loadtest.KafkaOptions;
import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Sends pages.jsonl, users.jsonl, then events.jsonl from --in to the topics, in file order, with their keys.")
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;
    @Option(names = "--in", defaultValue = "loadtest-data", description = "directory with the JSONL files")
    Path in;
    @Option(names = "--rate", defaultValue = "0", description = "events per second; 0 = as fast as possible")
    double rate;
    @Option(names = "--progress-every", defaultValue = "PT5S")
    Duration progressEvery;

    @Override
    public Integer call() {
        Topics topics = kafka.topics();
        Replayer.run(new ReplayConfig(kafka.bootstrapServers, topics, in, rate, progressEvery), System.out::println);
        return 0;
    }
}
