package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.acme.clickstream.flink.model.SessionRow;
import com.acme.clickstream.flink.support.Database;
import com.acme.clickstream.flink.support.Sessions;
import org.junit.jupiter.api.Test;

/** Binary COPY through a real server: every column reads back as written; present and repeated ids are left out. */
class SessionCopyIT {
    private static final Database DB = Database.create("flink_copy");

    @Test
    void rowsRoundTripThroughPostgresExactlyAndTheWriteIsIdempotent() throws Exception {
        List<SessionRow> rows = new ArrayList<>(SessionCopyEncodingTest.rows());
        rows.addAll(Sessions.rows("copy", 0, 50));
        try (Connection c = DB.dataSource().getConnection()) {
            c.setAutoCommit(false);
            SessionCopy copy = new SessionCopy(c, "sessions");
            assertThat(copy.write(batch(rows)).inserted()).isEqualTo(rows.size());
            c.commit();

            Map<String, SessionRow> expected = new TreeMap<>();
            for (SessionRow r : rows) {
                expected.put(r.sessionId(), stored(r));
            }
            assertThat(withoutRedoRows(DB.sessions())).isEqualTo(expected);

            // Present ids (committed, and written earlier in the same open transaction) and a second copy within
            // the batch are left out; the first copy's values stay.
            SessionRow fresh = Sessions.row("copy", 100);
            SessionRow changed = SessionCopyEncodingTest.row(rows.get(3).sessionId(), "other", rows.get(3)
                    .sessionStart(), new BigDecimal("7.00"));
            assertThat(copy.write(batch(List.of(fresh))).inserted()).isEqualTo(1);
            assertThat(copy.write(batch(List.of(rows.get(0), fresh, changed, Sessions.row("copy", 101),
                    Sessions.row("copy", 101), rows.get(rows.size() - 1))))).isEqualTo(new SessionCopy.Written(6, 1,
                    false));
            c.commit();
            expected.put(fresh.sessionId(), stored(fresh));
            expected.put(Sessions.row("copy", 101).sessionId(), stored(Sessions.row("copy", 101)));
            assertThat(withoutRedoRows(DB.sessions())).isEqualTo(expected);
        }
    }

    @Test
    void anUncheckedBatchThatMeetsAPresentIdRollsBackAndRewritesTheTransactionChecked() throws Exception {
        List<SessionRow> committed = Sessions.rows("redo-a", 0, 20);
        List<SessionRow> earlier = Sessions.rows("redo-b", 0, 30);
        SessionRow fresh = Sessions.row("redo-c", 0);
        try (Connection c = DB.dataSource().getConnection()) {
            c.setAutoCommit(false);
            SessionCopy copy = new SessionCopy(c, "sessions");
            copy.write(batch(committed));
            c.commit();

            SessionCopy.Batch first = batch(earlier);
            // A repeated id within an unchecked batch is left out without the lookup.
            SessionCopy.Batch repeatedWithin = batch(List.of(Sessions.row("redo-d", 0), Sessions.row("redo-d", 0)));
            assertThat(copy.write(first, false, List.of(first))).isEqualTo(new SessionCopy.Written(30, 30, false));
            assertThat(copy.write(repeatedWithin, false, List.of(first, repeatedWithin)))
                    .isEqualTo(new SessionCopy.Written(2, 1, false));
            // A committed id and one written earlier in this transaction: COPY fails on the primary key, the
            // transaction is rolled back and its three batches written again, checked.
            SessionRow changed = SessionCopyEncodingTest.row(committed.get(5).sessionId(), "other",
                    committed.get(5).sessionStart(), new BigDecimal("7.00"));
            SessionCopy.Batch conflicting = batch(List.of(fresh, changed, earlier.get(7), fresh));
            assertThat(copy.write(conflicting, false, List.of(first, repeatedWithin, conflicting)))
                    .isEqualTo(new SessionCopy.Written(36, 32, true));
            c.commit();
        }
        Map<String, SessionRow> table = DB.sessions();
        List<SessionRow> expected = new ArrayList<>(committed);
        expected.addAll(earlier);
        expected.add(fresh);
        expected.add(Sessions.row("redo-d", 0));
        for (SessionRow r : expected) {
            assertThat(table.get(r.sessionId())).isEqualTo(stored(r));
        }
        assertThat(table.keySet().stream().filter(id -> id.startsWith("redo-"))).hasSize(expected.size());
    }

    /** The other test's rows (ids "redo-..."), whichever ran first. */
    private static Map<String, SessionRow> withoutRedoRows(Map<String, SessionRow> table) {
        table.keySet().removeIf(id -> id.startsWith("redo-"));
        return table;
    }

    private static SessionCopy.Batch batch(List<SessionRow> rows) {
        SessionCopy.Batch batch = new SessionCopy.Batch(rows.size());
        rows.forEach(batch::add);
        return batch;
    }

    /** As numeric(18,2) keeps it. */
    private static SessionRow stored(SessionRow r) {
        return new SessionRow(r.sessionId(), r.userId(), r.sessionStart(), r.sessionEnd(), r.durationMs(),
                r.eventCount(), r.pageViews(), r.purchases(), r.revenue().setScale(2, RoundingMode.HALF_UP),
                r.landingPage(), r.exitPage(), r.landingCategory(), r.country(), r.segment(), r.utmSource(),
                r.utmMedium(), r.utmCampaign(), r.isBounce(), r.closedAt());
    }
}
