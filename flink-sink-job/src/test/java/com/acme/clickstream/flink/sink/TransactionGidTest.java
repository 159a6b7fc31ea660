package com.acme.clickstream.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import org.junit.jupiter.api.Test;

class TransactionGidTest {
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
}
