package com.acme.clickstream.sessionizer.rest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import com.acme.clickstream.sessionizer.config.ApiConfig;
import com.acme.clickstream.sessionizer.model.Session;

/**
 * Read-only queries on PostgreSQL: table {@code sessions} and the BI views. Plain JDBC on the Agroal
 * pool; any database failure becomes a 503 so that a PostgreSQL outage never looks like a bug (500)
 * and never touches sessionization, which does not use this database.
 */
@ApplicationScoped
public class SessionsDatabase {
    private final DataSource dataSource;
    private final ApiConfig api;

    SessionsDatabase(DataSource dataSource, ApiConfig api) {
        this.dataSource = dataSource;
        this.api = api;
    }

    public List<Session> sessions(String userId, Optional<Instant> from, Optional<Instant> to, int limit) {
        StringBuilder sql = new StringBuilder("""
                select session_id, user_id, session_start, session_end, duration_ms, event_count, page_views,
                       purchases, revenue, landing_page, exit_page, landing_category, country, segment,
                       utm_source, utm_medium, utm_campaign, is_bounce, closed_at
                from sessions where user_id = ?""");
        List<Object> args = new ArrayList<>(List.of(userId));
        from.ifPresent(f -> { sql.append(" and session_start >= ?"); args.add(Timestamp.from(f)); });
        to.ifPresent(t -> { sql.append(" and session_start < ?"); args.add(Timestamp.from(t)); });
        sql.append(" order by session_start desc, session_id limit ?");
        args.add(limit);
        return query(sql.toString(), args, rs -> new Session(
                rs.getString(1), rs.getString(2), ts(rs, 3), ts(rs, 4), rs.getLong(5), rs.getInt(6), rs.getInt(7),
                rs.getInt(8), rs.getBigDecimal(9), rs.getString(10), rs.getString(11), rs.getString(12),
                rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16), rs.getString(17),
                rs.getBoolean(18), ts(rs, 19)));
    }

    /**
     * The last UTC day with sessions (of one user, or of all): the end of a KPI range the request did not bound.
     * One step down the day index (V6), not an aggregate.
     */
    public Optional<LocalDate> latestDay(Optional<String> userId) {
        String day = "(session_start at time zone 'UTC')::date";
        List<LocalDate> last = userId.isPresent()
                ? query("select " + day + " from sessions where user_id = ? order by " + day + " desc limit 1",
                        List.of(userId.get()), rs -> rs.getObject(1, LocalDate.class))
                : query("select " + day + " from sessions order by " + day + " desc limit 1", List.of(),
                        rs -> rs.getObject(1, LocalDate.class));
        return last.stream().findFirst();
    }

    public List<Kpis.Daily> daily(Params.DayRange days, int limit) {
        return query("select day, sessions, users, bounce_rate, avg_duration_ms, revenue, purchases, page_views"
                        + " from bi_daily_sessions where day >= ? and day <= ? order by day limit ?",
                List.of(days.from(), days.to(), limit), rs -> new Kpis.Daily(day(rs, 1), rs.getLong(2), rs.getLong(3),
                        rs.getBigDecimal(4), rs.getLong(5), rs.getBigDecimal(6), rs.getLong(7), rs.getLong(8)));
    }

    public List<Kpis.UserDaily> userDaily(String userId, Params.DayRange days, int limit) {
        return query("select user_id, day, sessions, bounce_rate, avg_duration_ms, revenue, purchases, page_views"
                        + " from bi_user_daily_sessions where user_id = ? and day >= ? and day <= ? order by day limit ?",
                List.of(userId, days.from(), days.to(), limit), rs -> new Kpis.UserDaily(rs.getString(1), day(rs, 2),
                        rs.getLong(3), rs.getBigDecimal(4), rs.getLong(5), rs.getBigDecimal(6), rs.getLong(7),
                        rs.getLong(8)));
    }

    public List<Kpis.LandingPage> landingPages(LocalDate day, int limit) {
        return query("select day, landing_page, landing_category, sessions, bounce_rate, revenue"
                        + " from bi_top_landing_pages where day = ? order by sessions desc, landing_page limit ?",
                List.of(day, limit), rs -> new Kpis.LandingPage(day(rs, 1), rs.getString(2), rs.getString(3),
                        rs.getLong(4), rs.getBigDecimal(5), rs.getBigDecimal(6)));
    }

    public List<Kpis.Channel> channels(Params.DayRange days, int limit) {
        return query("select day, channel, sessions, users, bounce_rate, revenue, purchases from bi_channels"
                        + " where day >= ? and day <= ? order by day, sessions desc, channel limit ?",
                List.of(days.from(), days.to(), limit), rs -> new Kpis.Channel(day(rs, 1), rs.getString(2),
                        rs.getLong(3), rs.getLong(4), rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getLong(7)));
    }

    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, List<Object> args, Row<T> row) {
        // Read-only for real: the role clickstream_api is read-only by default (V5), and readOnlyMode=always
        // (application.properties) makes setReadOnly send SET SESSION CHARACTERISTICS also in autocommit mode,
        // where the driver's default sends nothing.
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setReadOnly(true);
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<T> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(row.map(rs));
                }
            }
            return result;
        } catch (SQLException e) {
            throw ApiException.unavailable("PostgreSQL is not available; finished sessions and KPIs cannot be read"
                    + " right now", "SQL state " + e.getSQLState(), api.retryAfterSeconds(), e);
        }
    }

    private static Instant ts(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String day(ResultSet rs, int column) throws SQLException {
        LocalDate d = rs.getObject(column, LocalDate.class);
        return d == null ? null : d.toString();
    }
}
