package com.acme.clickstream.sessionizer.rest;

import com.acme.clickstream.sessionizer.config.ApiConfig;
import com.acme.clickstream.sessionizer.model.Session;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Finished sessions and KPIs, read from PostgreSQL (written there by the Flink job). Every list is bounded: a
 * limit on its rows, and for the KPIs a range of at most {@code sessionizer.api.max-days} days, so that no
 * request can make the primary aggregate the whole table.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {
    static final int MAX_LIMIT = 1000;

    /** The default limit of the channel list: a day has a few dozen channels, not thousands. */
    static final int DEFAULT_CHANNELS_LIMIT = 1000;

    private final SessionsDatabase db;
    private final ApiConfig api;

    HistoryResource(SessionsDatabase db, ApiConfig api) {
        this.db = db;
        this.api = api;
    }

    /** Sessions whose session_start lies in [from, to), newest first. */
    @GET
    @Path("/users/{userId}/sessions")
    public List<Session> sessions(@PathParam("userId") String userId, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("limit") String limit) {
        Params.userId(userId);
        Optional<Instant> lower = Params.lowerBound("from", from);
        Optional<Instant> upper = Params.upperBound("to", to);
        Params.instantRange(lower, upper);
        return db.sessions(userId, lower, upper, Params.limit(limit, 100, MAX_LIMIT));
    }

    /** Daily KPIs over all users; from and to are inclusive UTC days. */
    @GET
    @Path("/kpis/daily")
    public List<Kpis.Daily> daily(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("limit") String limit) {
        Optional<LocalDate> f = Params.date("from", from);
        Optional<LocalDate> t = Params.date("to", to);
        int rows = Params.limit(limit, api.maxDays(), api.maxDays());
        return Params.dayRange(f, t, api.maxDays(), () -> db.latestDay(Optional.empty()))
                .map(days -> db.daily(days, rows)).orElse(List.of());
    }

    @GET
    @Path("/users/{userId}/kpis/daily")
    public List<Kpis.UserDaily> userDaily(@PathParam("userId") String userId, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("limit") String limit) {
        Params.userId(userId);
        Optional<LocalDate> f = Params.date("from", from);
        Optional<LocalDate> t = Params.date("to", to);
        int rows = Params.limit(limit, api.maxDays(), api.maxDays());
        return Params.dayRange(f, t, api.maxDays(), () -> db.latestDay(Optional.of(userId)))
                .map(days -> db.userDaily(userId, days, rows)).orElse(List.of());
    }

    /** The day's landing pages by sessions, most first. */
    @GET
    @Path("/kpis/landing-pages")
    public List<Kpis.LandingPage> landingPages(@QueryParam("day") String day, @QueryParam("limit") String limit) {
        LocalDate d = Params.requiredDate("day", day);
        return db.landingPages(d, Params.limit(limit, 10, MAX_LIMIT));
    }

    /** Sessions per channel (utm_source, '(direct)' without one) and day. */
    @GET
    @Path("/kpis/channels")
    public List<Kpis.Channel> channels(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("limit") String limit) {
        Optional<LocalDate> f = Params.date("from", from);
        Optional<LocalDate> t = Params.date("to", to);
        int rows = Params.limit(limit, Math.min(DEFAULT_CHANNELS_LIMIT, api.maxRows()), api.maxRows());
        return Params.dayRange(f, t, api.maxDays(), () -> db.latestDay(Optional.empty()))
                .map(days -> db.channels(days, rows)).orElse(List.of());
    }
}
