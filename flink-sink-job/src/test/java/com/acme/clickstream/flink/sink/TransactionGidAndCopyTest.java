package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;

import com.acme.clickstream.flink.model.SessionRow;
import org.junit.jupiter.api.Test;

class TransactionGidAndCopyTest {
    private static final String JOB = "0123456789abcdef0123456789abcdef";

    @Test
    void gidRoundTripsThroughTextAndTheCommittableSerializer() throws Exception {
        TransactionGid id = new TransactionGid("clickstream-flink-sink", 3, 42, JOB);
        assertThat(id.gid()).isEqualTo("fsj:clickstream-flink-sink:3:42:" + JOB);
        assertThat(TransactionGid.parse(id.gid())).contains(id);
        TransactionGid.Serializer serializer = new TransactionGid.Serializer();
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(id))).isEqualTo(id);
        assertThat(TransactionGid.parse("foreign-app-tx-1")).isEmpty();
        assertThat(TransactionGid.parse("fsj:p:1:2:not-a-job-id")).isEmpty();
        assertThatThrownBy(() -> new TransactionGid("a:b", 0, 1, JOB)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyLineEscapesTextAndWritesNullsTimestampsAndNumbersAsPostgresReadsThem() {
        SessionRow row = new SessionRow("s\t1", "u\\1", Instant.parse("2026-11-24T08:00:00.013Z"),
                Instant.parse("2026-11-24T08:00:00Z"), 0, 1, 1, 0, new BigDecimal("12.50"), "/p?a=1\nb", null,
                "c\rd", "DE", null, null, null, null, true, Instant.parse("2026-11-24T08:32:00Z"));
        StringBuilder line = new StringBuilder();
        SessionCopy.encode(row, line);
        assertThat(line.toString()).isEqualTo("s\\t1\tu\\\\1\t2026-11-24T08:00:00.013Z\t2026-11-24T08:00:00Z\t0\t1\t1\t0"
                + "\t12.50\t/p?a=1\\nb\t\\N\tc\\rd\tDE\t\\N\t\\N\t\\N\t\\N\tt\t2026-11-24T08:32:00Z\n");
    }
}
