package com.acme.clickstream.loadtest;

import com.acme.clickstream.loadtest.model.Topics;
import picocli.CommandLine.Option;

/** Where the pipeline's topics are: the same options, with the contract's defaults, on every subcommand. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092")
    public String bootstrapServers;
    @Option(names = "--events-topic", defaultValue = Topics.EVENTS)
    String eventsTopic;
    @Option(names = "--users-topic", defaultValue = Topics.USERS)
    String usersTopic;
    @Option(names = "--pages-topic", defaultValue = Topics.PAGES)
    String pagesTopic;
    @Option(names = "--sessions-topic", defaultValue = Topics.SESSIONS)
    String sessionsTopic;
    @Option(names = "--dlq-topic", defaultValue = Topics.DLQ)
    String dlqTopic;
    @Option(names = "--late-topic", defaultValue = Topics.LATE)
    String lateTopic;

    public Topics topics() {
        return new Topics(eventsTopic, usersTopic, pagesTopic, sessionsTopic, dlqTopic, lateTopic);
    }
}
