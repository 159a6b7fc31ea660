package com.acme.clickstream.flink.hygiene;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import javax.transaction.xa.Xid;

/**
 * The identity of an XA transaction of Flink's JDBC sink, as PostgreSQL shows it in {@code pg_prepared_xacts.gid}.
 *
 * <p>The sink's xids (flink-connector-jdbc {@code TransactionId}) have the format id 202, a global transaction id of
 * the job id (16 bytes) and the subtask index (int), and a branch qualifier of the number of subtasks (int) and a
 * checkpoint id (long): the transaction holds the records written after that checkpoint. pgjdbc stores an xid as
 * {@code formatId_base64(gtrid)_base64(bqual)}. The connector hands out its serializer's whole buffer, so both byte
 * arrays may carry trailing zero bytes after these fields.
 */
public record FlinkXid(String jobId, int subtaskIndex, int numberOfSubtasks, long checkpointId) {
    public static final int FORMAT_ID = 202;

    /** The xid in a gid, if the gid is one of Flink's JDBC sink. */
    public static Optional<FlinkXid> fromGid(String gid) {
        if (gid == null) {
            return Optional.empty();
        }
        String[] parts = gid.split("_", -1);
        if (parts.length != 3 || !parts[0].equals(String.valueOf(FORMAT_ID))) {
            return Optional.empty();
        }
        try {
            Base64.Decoder decoder = Base64.getDecoder();
            return fromParts(decoder.decode(parts[1]), decoder.decode(parts[2]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static Optional<FlinkXid> fromXid(Xid xid) {
        if (xid == null || xid.getFormatId() != FORMAT_ID) {
            return Optional.empty();
        }
        return fromParts(xid.getGlobalTransactionId(), xid.getBranchQualifier());
    }

    private static Optional<FlinkXid> fromParts(byte[] gtrid, byte[] bqual) {
        if (gtrid.length < 20 || bqual.length < 12) {
            return Optional.empty();
        }
        ByteBuffer global = ByteBuffer.wrap(gtrid);
        byte[] job = new byte[16];
        global.get(job);
        int subtask = global.getInt();
        ByteBuffer branch = ByteBuffer.wrap(bqual);
        int subtasks = branch.getInt();
        long checkpoint = branch.getLong();
        return Optional.of(new FlinkXid(HexFormat.of().formatHex(job), subtask, subtasks, checkpoint));
    }

    /** The gid pgjdbc gives this xid. */
    public String toGid() {
        ByteBuffer global = ByteBuffer.allocate(20).put(HexFormat.of().parseHex(jobId)).putInt(subtaskIndex);
        ByteBuffer branch = ByteBuffer.allocate(12).putInt(numberOfSubtasks).putLong(checkpointId);
        Base64.Encoder encoder = Base64.getEncoder();
        return FORMAT_ID + "_" + encoder.encodeToString(global.array()) + "_" + encoder.encodeToString(branch.array());
    }

    @Override
    public String toString() {
        return "job " + jobId + " subtask " + subtaskIndex + "/" + numberOfSubtasks + " after checkpoint "
                + checkpointId;
    }
}
