package com.acme.clickstream.loadtest.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Sends pages.jsonl, users.jsonl, then events.jsonl from --in to the topics, in file order, with their keys.")
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092")
    String bootstrapServers;
    @Option(names = "--events-topic", defaultValue = Topics.EVENTS)
    String eventsTopic;
    @Option(names = "--users-topic", defaultValue = Topics.USERS)
    String usersTopic;
    @Option(names = "--pages-topic", defaultValue = Topics.PAGES)
    String pagesTopic;
    @Option(names = "--in", defaultValue = "loadtest-data", description = "directory with the JSONL files")
    Path in;
    @Option(names = "--rate", defaultValue = "0", description = "events per second; 0 = as fast as possible")
    double rate;
    @Option(names = "--progress-every", defaultValue = "PT5S")
    Duration progressEvery;

    @Override
    public Integer call() {
        Topics topics = new Topics(eventsTopic, usersTopic, pagesTopic, Topics.SESSIONS, Topics.DLQ, Topics.LATE);
        Replayer.run(new ReplayConfig(bootstrapServers, topics, in, rate, progressEvery), System.out::println);
        return 0;
    }
}
