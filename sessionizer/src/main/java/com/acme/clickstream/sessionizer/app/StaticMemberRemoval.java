package com.acme.clickstream.sessionizer.app;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.jboss.logging.Logger;

/**
 * Once a replaced stream thread is dead, removes its consumer from the group when static membership is on. A static
 * member does not leave the group when its consumer closes, and the replacement joins under a new instance id (the
 * next free thread index), so without this the dead thread's tasks would wait for {@code session.timeout.ms} (44 s of
 * the service's 45 s in {@code KafkaAclIT}). Kafka Streams' own {@code removeStreamThread()} removes a static member
 * the same way, with the admin client; its thread replacement does not. Needs READ on the group, which the service's
 * ACLs grant. Should the removal fail, the tasks still move, after the session timeout.
 */
final class StaticMemberRemoval implements Consumer<Thread> {
    private static final Logger LOG = Logger.getLogger(StaticMemberRemoval.class);
    /** Kafka Streams names its threads {@code <client id>-StreamThread-<index>}. */
    private static final Pattern THREAD_INDEX = Pattern.compile("-StreamThread-(\\d+)$");
    private static final Duration AWAIT_DEATH = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final StreamsConfig config;

    StaticMemberRemoval(StreamsConfig config) {
        this.config = config;
    }

    /** The group instance id Kafka Streams gives the main consumer of the thread so named; null: dynamic membership. */
    static String groupInstanceId(StreamsConfig config, String threadName) {
        Matcher m = THREAD_INDEX.matcher(threadName);
        if (!m.find()) {
            return null;
        }
        Object id = config.getMainConsumerConfigs(config.getString(StreamsConfig.APPLICATION_ID_CONFIG), "unused",
                Integer.parseInt(m.group(1))).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        return id == null ? null : id.toString();
    }

    @Override
    public void accept(Thread dying) {
        String instanceId = groupInstanceId(config, dying.getName());
        if (instanceId == null) {
            return;
        }
        // The thread closes its tasks, producer and consumer after the handler returns: remove it only then, or its
        // consumer could still hold the assignment that the rebalance moves.
        Thread remover = new Thread(() -> removeOnceDead(dying, instanceId), dying.getName() + "-member-removal");
        remover.setDaemon(true);
        remover.start();
    }

    private void removeOnceDead(Thread dying, String instanceId) {
        String group = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        try {
            dying.join(AWAIT_DEATH.toMillis());
            if (dying.isAlive()) {
                LOG.warnf("%s still runs %s after its replacement: its static member %s stays in group %s until "
                        + "session.timeout.ms", dying.getName(), AWAIT_DEATH, instanceId, group);
                return;
            }
            try (Admin admin = Admin.create(config.getAdminConfigs(dying.getName() + "-member-removal"))) {
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                        List.of(new MemberToRemove(instanceId)))).all().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            LOG.infof("removed the static member %s of the dead %s from group %s: its tasks move now",
                    instanceId, dying.getName(), group);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf(e, "could not remove the static member %s of the dead %s from group %s: its tasks move after "
                    + "session.timeout.ms", instanceId, dying.getName(), group);
        }
    }
}
