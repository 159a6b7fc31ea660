package com.acme.clickstream.flink.hygiene;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;

import org.apache.flink.connector.jdbc.datasource.transactions.xa.domain.TransactionId;
import org.junit.jupiter.api.Test;

class FlinkXidTest {
    private static final String JOB = "c47819cd8f0a27bd55d83677f9bb20df";

    @Test
    void readsTheConnectorsXidsIncludingTheirTrailingBufferBytes() {
        TransactionId xid = TransactionId.create(HexFormat.of().parseHex(JOB), 1, 2).withBranch(27);
        // The connector hands out its serializer's whole buffer: longer than the fields it wrote.
        assertThat(xid.getGlobalTransactionId().length).isGreaterThanOrEqualTo(20);
        FlinkXid parsed = FlinkXid.fromXid(xid).orElseThrow();
        assertThat(parsed).isEqualTo(new FlinkXid(JOB, 1, 2, 27));
        // pgjdbc's gid of the same xid
        String gid = "202_" + Base64.getEncoder().encodeToString(xid.getGlobalTransactionId()) + "_"
                + Base64.getEncoder().encodeToString(xid.getBranchQualifier());
        assertThat(FlinkXid.fromGid(gid)).contains(parsed);
        assertThat(FlinkXid.fromGid(parsed.toGid())).contains(parsed);
        // a gid seen in PostgreSQL during the tests
        assertThat(FlinkXid.fromGid("202_xHgZzY8KJ71V2DZ3+bsg3wAAAAEAAAAAAAAAAAAAAAAAAA==_AAAAAgAAAAAAAAADAA=="))
                .contains(new FlinkXid(JOB, 1, 2, 3));
    }

    @Test
    void otherGidsAreNotFlinks() {
        assertThat(FlinkXid.fromGid("foreign-app-tx")).isEmpty();
        assertThat(FlinkXid.fromGid("1_YWJj_ZGVm")).isEmpty();
        assertThat(FlinkXid.fromGid("202_!!_??")).isEmpty();
        assertThat(FlinkXid.fromGid("202_YWJj_ZGVm")).isEmpty();
        assertThat(FlinkXid.fromGid(null)).isEmpty();
    }
}
