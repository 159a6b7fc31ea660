package com.acme.clickstream.flink.hygiene;

import java.time.Duration;
import java.util.Optional;

/** A row of {@code pg_prepared_xacts} of the current database; its age is measured by the server's clock. */
public record PreparedTransaction(String gid, String owner, Duration age, Optional<FlinkXid> flinkXid) {}
