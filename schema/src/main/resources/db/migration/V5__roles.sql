-- One role per job, each with exactly what its statements need (the user who runs the migrations owns the
-- objects and is the only one with DDL):
--   clickstream_sink  the Flink job's exactly-once sink (flink-sink-job): COPY into sessions after looking up
--                     which session_ids are already there, its dead letters, its transaction markers (insert,
--                     look up by gid, prune). COMMIT PREPARED must be run by the role that prepared, so every
--                     writer of the job uses this one role.
--   clickstream_api   the sessionizer's REST API: reads sessions and the BI views, nothing else.
--   bi_reader         BI tools: reads sessions and the BI views.
--
-- Roles are created here only when missing and without a password: the deployment sets the passwords (in
-- Kubernetes CloudNativePG creates the roles from Secrets before this runs; the local stack's embedded server
-- trusts local connections). Roles are per server, grants per database: a second database migrated on the same
-- server finds the roles and grants on its own tables.
do $$
declare
    r text;
begin
    foreach r in array array['clickstream_sink', 'clickstream_api', 'bi_reader'] loop
        if not exists (select from pg_roles where rolname = r) then
            begin
                execute format('create role %I login', r);
            exception when duplicate_object then
                null; -- created by a migration of another database of this server meanwhile
            end;
        end if;
    end loop;
end
$$;

-- Before PostgreSQL 15 every role could create tables in schema public; no job of ours creates anything.
revoke create on schema public from public;
grant usage on schema public to clickstream_sink, clickstream_api, bi_reader;

-- The sink reads session_id only (which sessions of a batch are already written), never what a session holds.
grant select (session_id), insert on table sessions to clickstream_sink;
-- insert ... on conflict (kafka coordinates) do nothing: the conflict target must be readable.
grant select (kafka_topic, kafka_partition, kafka_offset), insert on table sessions_rejected to clickstream_sink;
-- Its own bookkeeping: the marker of each prepared transaction, looked up after a retried commit, pruned.
grant select, insert, delete on table flink_sink_transactions to clickstream_sink;

grant select on table sessions, bi_daily_sessions, bi_user_daily_sessions, bi_top_landing_pages, bi_channels
    to clickstream_api, bi_reader;

-- Server-side bounds, as role defaults, so that they hold whatever the client configures:
--   the API's queries end after 10 s (its pool times out after 3 s, its socket after 30 s), and its sessions
--   are read-only even in autocommit mode (where the driver's setReadOnly does nothing);
--   a sink transaction left open by a vanished TaskManager releases its locks after 15 min (the sink's own
--   connections set a tighter bound from the checkpoint interval and timeout).
-- Altering a role's defaults needs superuser, CREATEROLE with admin option on it, or being it: the migration
-- user becomes the role for this (a superuser can; in Kubernetes the schema owner is a member of both roles,
-- postgres.yaml), which also works where the owner may not create or administer roles.
set role clickstream_api;
alter role clickstream_api set statement_timeout = '10s';
alter role clickstream_api set default_transaction_read_only = on;
alter role clickstream_api set idle_in_transaction_session_timeout = '1min';
reset role;
set role clickstream_sink;
alter role clickstream_sink set idle_in_transaction_session_timeout = '15min';
reset role;
