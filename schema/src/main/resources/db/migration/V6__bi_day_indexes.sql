-- The BI views (V2) group by the UTC day of session_start, (session_start at time zone 'UTC')::date, and the
-- REST API and BI filter on that day. An index on session_start cannot serve a condition on that expression,
-- so without these every dashboard query scanned the whole table on the primary while the sink wrote. An index
-- on exactly the views' expression (immutable: the zone is a constant) turns a day range into an index range
-- and hands the rows over in day order, which the views' grouping then needs no sort for.
--
-- Built in the migration's transaction: CREATE INDEX CONCURRENTLY would wait for ever on Flyway's own lock
-- transaction. On a large table in production, where a plain build would block the sink's inserts past their
-- lock_timeout, create both indexes CONCURRENTLY by hand before migrating; "if not exists" then skips them here.
create index if not exists sessions_utc_day_idx
    on sessions (((session_start at time zone 'UTC')::date));

-- A user's daily KPIs (bi_user_daily_sessions, REST /users/{id}/kpis/daily): user and day range in one index
-- range, not every session the user ever had.
create index if not exists sessions_user_utc_day_idx
    on sessions (user_id, ((session_start at time zone 'UTC')::date));
