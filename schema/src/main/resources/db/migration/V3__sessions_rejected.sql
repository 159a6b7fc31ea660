-- Dead letters of the Flink job (flink-sink-job): records of clickstream.sessions that did not become a
-- row of `sessions`, kept so that an operator can find, read and replay them. One row per Kafka record:
-- its coordinates are the key, so that a replay of the (at-least-once) dead-letter writes after a
-- failure stores nothing twice.
--   reason 'malformed: ...'  the value is not a session of the contract (record_value holds its bytes)
--   reason 'duplicate: ...'  a second record with a session_id the job has already written
--                            (record_value is null; read it from Kafka at the coordinates)
create table sessions_rejected (
    kafka_topic      text          not null,
    kafka_partition  integer       not null,
    kafka_offset     bigint        not null,
    kafka_timestamp  timestamptz,
    record_key       bytea,
    record_value     bytea,
    session_id       text,
    reason           text          not null,
    rejected_at      timestamptz   not null default now(),
    primary key (kafka_topic, kafka_partition, kafka_offset)
);

create index sessions_rejected_at_idx on sessions_rejected (rejected_at);
