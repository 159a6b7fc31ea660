-- Ground truth of the Flink job's exactly-once sink (flink-sink-job): every transaction the sink prepares
-- inserts its own row here before PREPARE TRANSACTION, so the row becomes visible exactly when the
-- transaction's rows do. When a commit finds its gid no longer prepared (a commit retried after a restore),
-- this row tells whether it was committed (row present) or rolled back outside the sink's rules (absent:
-- reported, never taken as committed). Rows older than a week are pruned by the sink.
create table flink_sink_transactions (
    gid            text        primary key,
    pipeline       text        not null,
    subtask        integer     not null,
    checkpoint_id  bigint      not null,
    job_id         text        not null,
    row_count      integer     not null,
    prepared_at    timestamptz not null default now()
);

create index flink_sink_transactions_pipeline_idx on flink_sink_transactions (pipeline, prepared_at);
