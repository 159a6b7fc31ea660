package com.acme.clickstream.flink.hygiene;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads and ends the prepared (two-phase) transactions of the connection's database. */
public final class PreparedTransactions {
    private PreparedTransactions() {}

    /** The prepared transactions of the current database, oldest first. */
    public static List<PreparedTransaction> list(Connection connection) throws SQLException {
        List<PreparedTransaction> result = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "select gid, owner, (extract(epoch from (now() - prepared)) * 1000)::bigint as age_ms"
                        + " from pg_prepared_xacts where database = current_database() order by prepared");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String gid = rs.getString(1);
                result.add(new PreparedTransaction(gid, rs.getString(2), Duration.ofMillis(Math.max(0, rs.getLong(3))),
                        FlinkXid.fromGid(gid)));
            }
        }
        return result;
    }

    /**
     * {@code ROLLBACK PREPARED}; false when the transaction is gone already (ended by someone else meanwhile). Needs
     * an autocommit connection of the same database, as the owner or a superuser.
     */
    public static boolean rollback(Connection connection, String gid) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("rollback prepared '" + gid.replace("'", "''") + "'");
            return true;
        } catch (SQLException e) {
            if ("42704".equals(e.getSQLState())) { // undefined_object: no prepared transaction with this gid
                return false;
            }
            throw e;
        }
    }
}
