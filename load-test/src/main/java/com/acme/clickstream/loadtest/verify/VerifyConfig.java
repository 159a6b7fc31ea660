package com.acme.clickstream.loadtest.verify;

import java.nio.file.Path;
import java.time.Duration;

import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.model.Topics;

/**
 * @param inDir            the files generate wrote (events.jsonl, users.jsonl, pages.jsonl)
 * @param jdbcUrl          PostgreSQL with the sessions table (user and password may be in the URL)
 * @param jdbcUser         null = from the URL
 * @param table            normally {@code sessions}
 * @param bootstrapServers Kafka, for the DLQ and late topics and the partition count; null = skip those checks
 * @param partitions       partitions of the events topic; 0 = ask the broker
 * @param await            keep checking until everything matches or this much time has passed (ZERO = check once)
 */
public record VerifyConfig(Path inDir, String jdbcUrl, String jdbcUser, String jdbcPassword, String table,
                           String bootstrapServers, Topics topics, int partitions, SessionRules rules, Duration await) {

    public static VerifyConfig of(Path inDir, String jdbcUrl, String bootstrapServers) {
        return new VerifyConfig(inDir, jdbcUrl, null, null, "sessions", bootstrapServers, Topics.defaults(), 0,
                SessionRules.fromEnv(), Duration.ZERO);
    }

    public VerifyConfig withTopics(Topics t) {
        return new VerifyConfig(inDir, jdbcUrl, jdbcUser, jdbcPassword, table, bootstrapServers, t, partitions, rules, await);
    }

    public VerifyConfig withRules(SessionRules r) {
        return new VerifyConfig(inDir, jdbcUrl, jdbcUser, jdbcPassword, table, bootstrapServers, topics, partitions, r, await);
    }

    public VerifyConfig withPartitions(int p) {
        return new VerifyConfig(inDir, jdbcUrl, jdbcUser, jdbcPassword, table, bootstrapServers, topics, p, rules, await);
    }

    public VerifyConfig withAwait(Duration d) {
        return new VerifyConfig(inDir, jdbcUrl, jdbcUser, jdbcPassword, table, bootstrapServers, topics, partitions, rules, d);
    }

    public VerifyConfig withTable(String t) {
        return new VerifyConfig(inDir, jdbcUrl, jdbcUser, jdbcPassword, t, bootstrapServers, topics, partitions, rules, await);
    }
}
