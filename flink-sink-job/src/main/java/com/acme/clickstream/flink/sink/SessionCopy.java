package com.acme.clickstream.flink.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.acme.clickstream.flink.model.SessionRow;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * How the exactly-once sink writes a batch: {@code COPY ... FROM STDIN} (PostgreSQL's cheapest way in: no
 * per-parameter binding, no per-statement planning), made idempotent on session_id by leaving out first the
 * sessions already in the table. An idempotent write is what makes {@code COMMIT PREPARED} of any leftover safe
 * (see {@link PreparedTransactionRecovery}). Rows of the writer's own open transaction are visible to the lookup,
 * and two copies within one batch are reduced to the first, so the only conflict left is a key inserted by another
 * session that has not committed yet: COPY then waits for it (bounded by {@code lock_timeout}) and fails on the
 * primary key if it commits, and the job's restart finds the row and leaves it out. No row is ever written twice:
 * the primary key stays the last word.
 */
final class SessionCopy {
    private final Connection connection;
    private final CopyManager copy;
    private final PreparedStatement present;
    private final String copySql;

    SessionCopy(Connection connection, String table) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        this.present = connection.prepareStatement("select session_id from " + table + " where session_id = any(?)");
        this.copySql = "copy " + table + " (" + SessionStatements.SESSION_COLUMNS + ") from stdin";
    }

    /** Writes the sessions of {@code batch} not yet in the table; returns how many were written. */
    int write(List<SessionRow> batch) throws SQLException, IOException {
        List<SessionRow> fresh = withoutPresent(batch);
        if (fresh.isEmpty()) {
            return 0;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(fresh.size() * 320);
        StringBuilder line = new StringBuilder(512);
        for (SessionRow row : fresh) {
            line.setLength(0);
            encode(row, line);
            out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = out.toByteArray();
        CopyIn in = copy.copyIn(copySql);
        try {
            in.writeToCopy(bytes, 0, bytes.length);
            return (int) in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private List<SessionRow> withoutPresent(List<SessionRow> batch) throws SQLException {
        Set<String> seen = new HashSet<>(batch.size() * 2);
        List<SessionRow> unique = new ArrayList<>(batch.size());
        for (SessionRow row : batch) {
            if (seen.add(row.sessionId())) {
                unique.add(row);
            }
        }
        Array ids = connection.createArrayOf("text", seen.toArray());
        Set<String> found = new HashSet<>();
        try {
            present.setArray(1, ids);
            try (ResultSet rs = present.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        } finally {
            ids.free();
        }
        if (found.isEmpty()) {
            return unique;
        }
        unique.removeIf(row -> found.contains(row.sessionId()));
        return unique;
    }

    /** One line of COPY's text format, in the column order of {@link SessionStatements#SESSION_COLUMNS}. */
    static void encode(SessionRow s, StringBuilder line) {
        text(line, s.sessionId());
        line.append('\t');
        text(line, s.userId());
        line.append('\t');
        timestamp(line, s.sessionStart());
        line.append('\t');
        timestamp(line, s.sessionEnd());
        line.append('\t').append(s.durationMs());
        line.append('\t').append(s.eventCount());
        line.append('\t').append(s.pageViews());
        line.append('\t').append(s.purchases());
        line.append('\t').append(s.revenue().toPlainString());
        line.append('\t');
        text(line, s.landingPage());
        line.append('\t');
        text(line, s.exitPage());
        line.append('\t');
        text(line, s.landingCategory());
        line.append('\t');
        text(line, s.country());
        line.append('\t');
        text(line, s.segment());
        line.append('\t');
        text(line, s.utmSource());
        line.append('\t');
        text(line, s.utmMedium());
        line.append('\t');
        text(line, s.utmCampaign());
        line.append('\t').append(s.isBounce() ? 't' : 'f');
        line.append('\t');
        timestamp(line, s.closedAt());
        line.append('\n');
    }

    /** ISO 8601 in UTC ({@code Instant.toString()}): PostgreSQL reads it as timestamptz whatever its TimeZone. */
    private static void timestamp(StringBuilder line, Instant instant) {
        line.append(instant);
    }

    /** COPY text format: \N is null; backslash, tab, newline and carriage return are escaped. */
    private static void text(StringBuilder line, String value) {
        if (value == null) {
            line.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
    }
}
