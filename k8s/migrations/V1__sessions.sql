-- The table of the contract (shared/CONTRACT.md, "Session fields"): one row per final session.
-- Written only by the Flink job's XA sink; BI reads it through the views of V2.
create table sessions (
    session_id        text          primary key,
    user_id           text          not null,
    session_start     timestamptz   not null,
    session_end       timestamptz   not null,
    duration_ms       bigint        not null,
    event_count       integer       not null,
    page_views        integer       not null,
    purchases         integer       not null,
    revenue           numeric(18,2) not null,
    landing_page      text,
    exit_page         text,
    landing_category  text,
    country           text,
    segment           text,
    utm_source        text,
    utm_medium        text,
    utm_campaign      text,
    is_bounce         boolean       not null,
    closed_at         timestamptz   not null
);

-- A user's sessions in time order (REST /users/{id}/sessions) and day ranges (the BI views).
create index sessions_user_start_idx on sessions (user_id, session_start);
create index sessions_start_idx on sessions (session_start);
