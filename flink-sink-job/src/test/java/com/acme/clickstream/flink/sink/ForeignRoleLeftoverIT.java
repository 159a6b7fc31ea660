package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import com.acme.clickstream.flink.support.Database;

/**
 * PostgreSQL lets only the role that prepared a transaction (or a superuser) end it. A leftover of this pipeline
 * prepared under another role (a run before the job got its own role) stops the writer with a message that names
 * the transaction and that role, instead of a bare permission error; the leftover stays as it was.
 */
class ForeignRoleLeftoverIT {
    private static final Database DB = Database.create("foreign_role_leftover_it");

    @Test
    void aLeftoverPreparedByAnotherRoleIsNamedWithItsRole() throws Exception {
        String gid = new TransactionGid("p", 0, 7, "0123456789abcdef0123456789abcdef").gid();
        try (Connection owner = DB.dataSource().getConnection(); Statement st = owner.createStatement()) {
            owner.setAutoCommit(false);
            st.execute("insert into flink_sink_transactions (gid, pipeline, subtask, checkpoint_id, job_id, row_count)"
                    + " values ('" + gid + "', 'p', 0, 7, 'j', 0)");
            st.execute("prepare transaction '" + gid + "'");
        }
        try (Connection sink = DriverManager.getConnection(DB.sinkJdbcUrl())) {
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> PreparedTransactionRecovery.recover(sink, "p", 0, 1, OptionalLong.of(7)));
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).isEqualTo("prepared transaction " + gid + " of pipeline p was prepared by role"
                    + " postgres, which is not this job's: only that role or a superuser may end it. End it as that"
                    + " role by this job's rules (commit it if its checkpoint 7 is at or before the one the job"
                    + " restores, else roll it back), then the job continues");
        } finally {
            assertThat(DB.preparedTransactions()).containsExactly(gid);
            DB.execute("rollback prepared '" + gid + "'");
        }
    }
}
