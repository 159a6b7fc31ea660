package com.acme.clickstream.flink.sink;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import com.acme.clickstream.flink.model.RejectedRecord;
import com.acme.clickstream.flink.model.SessionRow;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/** The SQL of the sinks and how a record fills it. */
public final class SessionStatements {
    private SessionStatements() {}

    public static final String SESSIONS_TABLE = "sessions";

    static final String SESSION_COLUMNS = "session_id, user_id, session_start, session_end, duration_ms,"
            + " event_count, page_views, purchases, revenue, landing_page, exit_page, landing_category, country,"
            + " segment, utm_source, utm_medium, utm_campaign, is_bounce, closed_at";
    private static final String ROW_PLACEHOLDERS = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * The plain insert of the benchmark's baseline sink (one row; pgjdbc rewrites batches into multi-row inserts).
     * The exactly-once sink writes with COPY instead ({@link SessionCopy}).
     */
    public static String insertSession(String table) {
        return "insert into " + table + " (" + SESSION_COLUMNS + ") values " + ROW_PLACEHOLDERS;
    }

    /** Dead letters are keyed by their Kafka coordinates: a replay of the at-least-once writes adds nothing. */
    public static String insertRejected(String table) {
        return "insert into " + table + " (kafka_topic, kafka_partition, kafka_offset, kafka_timestamp, record_key,"
                + " record_value, session_id, reason) values (?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (kafka_topic, kafka_partition, kafka_offset) do nothing";
    }

    public static final class SessionRowStatement implements JdbcStatementBuilder<SessionRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void accept(PreparedStatement ps, SessionRow s) throws SQLException {
            bind(ps, 0, s);
        }
    }

    /** Sets the 19 parameters of one session row, the first at {@code base + 1}. */
    public static void bind(PreparedStatement ps, int base, SessionRow s) throws SQLException {
        ps.setString(base + 1, s.sessionId());
        ps.setString(base + 2, s.userId());
        ps.setObject(base + 3, timestamptz(s.sessionStart()));
        ps.setObject(base + 4, timestamptz(s.sessionEnd()));
        ps.setLong(base + 5, s.durationMs());
        ps.setInt(base + 6, s.eventCount());
        ps.setInt(base + 7, s.pageViews());
        ps.setInt(base + 8, s.purchases());
        ps.setBigDecimal(base + 9, s.revenue());
        text(ps, base + 10, s.landingPage());
        text(ps, base + 11, s.exitPage());
        text(ps, base + 12, s.landingCategory());
        text(ps, base + 13, s.country());
        text(ps, base + 14, s.segment());
        text(ps, base + 15, s.utmSource());
        text(ps, base + 16, s.utmMedium());
        text(ps, base + 17, s.utmCampaign());
        ps.setBoolean(base + 18, s.isBounce());
        ps.setObject(base + 19, timestamptz(s.closedAt()));
    }

    public static final class RejectedRecordStatement implements JdbcStatementBuilder<RejectedRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void accept(PreparedStatement ps, RejectedRecord r) throws SQLException {
            ps.setString(1, r.topic());
            ps.setInt(2, r.partition());
            ps.setLong(3, r.offset());
            if (r.timestamp() >= 0) {
                ps.setObject(4, timestamptz(Instant.ofEpochMilli(r.timestamp())));
            } else {
                ps.setNull(4, Types.TIMESTAMP_WITH_TIMEZONE);
            }
            ps.setBytes(5, r.key());
            ps.setBytes(6, r.value());
            text(ps, 7, r.sessionId());
            ps.setString(8, r.reason().replace('\0', '?'));
        }
    }

    /** timestamptz as OffsetDateTime in UTC: independent of the JVM's and the session's time zone. */
    private static OffsetDateTime timestamptz(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static void text(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }
}
