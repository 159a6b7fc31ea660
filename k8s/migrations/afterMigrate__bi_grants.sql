-- Flyway callback (k8s only): runs after every migrate of the Job clickstream-db-migrate
-- (postgres.yaml), as the schema owner "clickstream". The role bi_reader is created by
-- CloudNativePG (postgres.yaml, spec.managed.roles); until it exists this fails and the Job retries.
-- BI reads the table sessions and the bi_* views of the migrations, nothing else.
GRANT USAGE ON SCHEMA public TO bi_reader;
GRANT SELECT ON TABLE sessions, bi_daily_sessions, bi_user_daily_sessions, bi_top_landing_pages, bi_channels TO bi_reader;
