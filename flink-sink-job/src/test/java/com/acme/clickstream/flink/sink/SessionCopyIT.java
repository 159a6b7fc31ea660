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
            assertThat(copy.write(batch(rows))).isEqualTo(rows.size());
            c.commit();

            Map<String, SessionRow> expected = new TreeMap<>();
            for (SessionRow r : rows) {
                expected.put(r.sessionId(), stored(r));
            }
            assertThat(DB.sessions()).isEqualTo(expected);

            // Present ids (committed, and written earlier in the same open transaction) and a second copy within
            // the batch are left out; the first copy's values stay.
            SessionRow fresh = Sessions.row("copy", 100);
            SessionRow changed = SessionCopyEncodingTest.row(rows.get(3).sessionId(), "other", rows.get(3)
                    .sessionStart(), new BigDecimal("7.00"));
            assertThat(copy.write(batch(List.of(fresh)))).isEqualTo(1);
            assertThat(copy.write(batch(List.of(rows.get(0), fresh, changed, Sessions.row("copy", 101),
                    Sessions.row("copy", 101), rows.get(rows.size() - 1))))).isEqualTo(1);
            c.commit();
            expected.put(fresh.sessionId(), stored(fresh));
            expected.put(Sessions.row("copy", 101).sessionId(), stored(Sessions.row("copy", 101)));
            assertThat(DB.sessions()).isEqualTo(expected);
        }
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
