package com.acme.clickstream.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.acme.clickstream.devstack.TestServers;
import com.acme.clickstream.flink.config.SinkJobConfig;
import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.sink.SessionSinks;
import com.acme.clickstream.flink.support.CapturedMetrics;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Jobs;
import com.acme.clickstream.flink.support.Sessions;
import com.acme.clickstream.flink.support.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many faults in one run, at seeded random points, in the spirit of flink-connector-jdbc's exactly-once end-to-end
 * test: while sessions (and second copies of some) trickle in, the database sessions of the job are killed
 * ({@code pg_terminate_backend}: what a PostgreSQL restart or a network cut does to them) again and again, every
 * other time only once a transaction is prepared, so that both windows are hit: mid-write, and between prepare and
 * commit. The job fails and restores each time; at the end, after a quiet period, every session is in the table
 * exactly once, every second copy once in {@code sessions_rejected}, and nothing is left prepared.
 *
 * <p>Short by default (6 faults, part of {@code mvn verify}); {@code -Dfaults.count=20 -Dfaults.sessions=3000} runs
 * a long one; {@code -Dfaults.seed=N} replays a run (the seed is printed).
 */
class RepeatedFaultsIT {
    private static final Database DB = Database.create("flink_repeated_faults");
    private JobClient job;

    @AfterEach
    void stop() throws Exception {
        Jobs.cancel(job);
    }

    @Test
    void everySessionExactlyOnceThroughManyFaultsAtRandomPoints(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("faults.seed", System.nanoTime());
        int faults = Integer.getInteger("faults.count", 6);
        int count = Integer.getInteger("faults.sessions", 1200);
        System.out.printf("[repeated faults] seed=%d faults=%d sessions=%d (replay: -Dfaults.seed=%d)%n",
                seed, faults, count, seed);
        Random random = new Random(seed);

        List<SessionRow> sessions = Sessions.rows("faults-" + seed, 0, count);
        List<SessionRow> sent = new ArrayList<>(sessions);
        int copies = 0;
        for (int i = 0; i < count; i++) {
            if (random.nextInt(50) == 0) {
                // A second copy a little later on the topic: the job must divert it, once, whatever restarts between.
                sent.add(Math.min(sent.size(), i + 1 + random.nextInt(40)), sessions.get(i));
                copies++;
            }
        }

        try (Topics topic = new Topics(TestServers.kafka(), "repeated-faults", 2)) {
            SinkJobConfig config = Jobs.config(topic.topic(), DB, dir).lockTimeout(Duration.ofSeconds(5)).build();
            // Fixed short restarts: the job's exponential back-off would grow to 30 s over this many faults.
            Configuration restarts = new Configuration();
            restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
            restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
            job = Jobs.startThen(config, SessionSinks.exactlyOnce(config), env -> env.configure(restarts));
            String jobId = job.getJobID().toHexString();
            Thread producer = topic.trickle(sent, Duration.ofMillis(Math.max(1, 12_000 / sent.size())));

            int hitPrepared = 0;
            int hitWriting = 0;
            for (int f = 0; f < faults; f++) {
                TimeUnit.MILLISECONDS.sleep(300 + random.nextInt(1500));
                boolean atPrepared = f % 2 == 1;
                // Land the fault where it is meant to: on a running attempt (it has database sessions), and for
                // every other fault while that attempt has a transaction prepared (not a leftover of an earlier
                // one). Checked and killed in one statement: with 300 ms checkpoints a transaction stays prepared
                // for a few milliseconds only.
                List<String> leftovers = DB.preparedTransactions();
                Kill kill = new Kill(0, List.of());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (kill.sessions() == 0 && System.nanoTime() < deadline) {
                    kill = killJobSessions(leftovers, atPrepared);
                    if (kill.sessions() == 0) {
                        TimeUnit.MILLISECONDS.sleep(1);
                    }
                }
                int killed = kill.sessions();
                List<String> preparedAtKill = kill.prepared();
                System.out.printf("[repeated faults] fault %d: killed %d database sessions, %d rows in the table,"
                        + " prepared at the kill: %s%n", f + 1, killed, DB.count("sessions"), preparedAtKill);
                if (killed > 0 && !preparedAtKill.isEmpty()) {
                    hitPrepared++;
                } else if (killed > 0) {
                    hitWriting++;
                }
            }
            producer.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(producer.isAlive()).as("producer done").isFalse();

            // The faults landed: connections were there to kill, some with a transaction prepared, and the job
            // restarted.
            assertThat(hitPrepared).as("faults with a transaction prepared").isPositive();
            assertThat(hitPrepared + hitWriting).as("faults that killed database sessions").isEqualTo(faults);
            assertThat(CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts")).as("restarts").isPositive();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                    .until(() -> DB.count("sessions") >= count);
            // Quiet period: two more completed checkpoints, so whatever was prepared is committed or gone.
            double checkpoints = CapturedMetrics.sum(jobId, "flink_jobmanager_job_numberOfCompletedCheckpoints");
            await().atMost(Duration.ofMinutes(1)).until(() -> CapturedMetrics.sum(jobId,
                    "flink_jobmanager_job_numberOfCompletedCheckpoints") >= checkpoints + 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> DB.preparedTransactions().isEmpty());
            Map<String, SessionRow> expected = sessions.stream()
                    .collect(Collectors.toMap(SessionRow::sessionId, Function.identity()));
            assertThat(DB.sessions()).as("seed " + seed).isEqualTo(expected);
            assertThat(DB.count("sessions_rejected")).as("second copies diverted, seed " + seed).isEqualTo(copies);
            System.out.printf("[repeated faults] seed=%d: exact after %d faults (%d with a transaction prepared),"
                    + " %.0f restarts, %d sessions, %d second copies%n", seed, faults, hitPrepared,
                    CapturedMetrics.sum(jobId, "flink_jobmanager_job_numRestarts"), count, copies);
        }
    }

    record Kill(int sessions, List<String> prepared) {}

    /**
     * Terminates every client session on the job's database but this one and returns how many, with the prepared
     * transactions other than {@code leftovers} at that moment; with {@code onlyIfPrepared}, only if there is one.
     */
    private static Kill killJobSessions(List<String> leftovers, boolean onlyIfPrepared) throws Exception {
        try (Connection c = DB.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("with fresh as (select array_agg(gid) as gids"
                     + " from pg_prepared_xacts where database = ? and not (gid = any(?))),"
                     + " victims as (select pid from pg_stat_activity, fresh where datname = ?"
                     + " and pid <> pg_backend_pid() and backend_type = 'client backend'"
                     + " and (? or fresh.gids is not null))"
                     + " select (select count(*) filter (where pg_terminate_backend(pid)) from victims),"
                     + " (select gids from fresh)")) {
            ps.setString(1, DB.name());
            ps.setArray(2, c.createArrayOf("text", leftovers.toArray()));
            ps.setString(3, DB.name());
            ps.setBoolean(4, !onlyIfPrepared);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.sql.Array gids = rs.getArray(2);
                List<String> prepared = gids == null ? List.of() : List.of((String[]) gids.getArray());
                return new Kill(rs.getInt(1), prepared);
            }
        }
    }
}
