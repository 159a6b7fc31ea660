package com.acme.clickstream.loadtest.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.acme.clickstream.loadtest.generate.SentLog;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the Flink job (its whole MiniCluster process) under load, the moment PostgreSQL holds a transaction the
 * sink prepared for a checkpoint and has not committed yet, then a restart from its checkpoints: the restarted job
 * must commit or roll back what the dead one prepared. The prepared window lasts from the checkpoint's barrier to its
 * completion notice; a kill can come just after the commit, so the test kills again (at most 3 times) until one kill
 * has left a prepared transaction behind, and asserts that one did.
 */
class FlinkJobCrashIT extends EndToEndTest {
    private static final int MAX_KILLS = 3;

    @Test
    void flinkJobKilledWithSigkillUnderLoadAndRestartedFromItsCheckpoint() throws Exception {
        CompletableFuture<SentLog> load = generateInBackground(dataset(2000, 3003, FAULT_MIX));
        awaitRowsInPostgres(10);

        Set<String> leftBehind = new HashSet<>();
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl())) {
            for (int kill = 1; kill <= MAX_KILLS && leftBehind.isEmpty(); kill++) {
                // One open connection and nothing between the sighting and the kill: the window is short.
                await("a transaction prepared by the sink").atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(2)).until(() -> !prepared(db).isEmpty());
                stack.flinkJob().kill();
                // Nobody can commit it now: whatever is still prepared was left behind by the killed job.
                leftBehind.addAll(prepared(db));
                assertThat(load).as("the load is still being sent at kill " + kill).isNotDone();
                logFault("kill -9 of the Flink job (attempt " + kill + ", right after a sink transaction was seen"
                        + " prepared; " + leftBehind.size() + " left behind)");
                stack.flinkJob().start();
                stack.awaitReady();
                logRecovered();
            }
        }
        assertThat(leftBehind).as("a kill that left a prepared transaction for the restarted job").isNotEmpty();

        assertExactlyOnce(finished(load));
    }

    private static Set<String> prepared(Connection db) throws SQLException {
        Set<String> gids = new HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("select gid from pg_prepared_xacts")) {
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
        }
        return gids;
    }
}
