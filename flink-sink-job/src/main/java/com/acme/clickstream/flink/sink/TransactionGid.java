package com.acme.clickstream.flink.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The id of one prepared transaction of the sink, and its committable: {@code fsj:<pipeline>:<subtask>:<checkpoint>:<job
 * id>} as PostgreSQL's {@code PREPARE TRANSACTION} gid. A restore decides from it alone what to do with a leftover:
 * {@code pipeline} says whose it is, {@code checkpoint} whether the restored checkpoint covers it, {@code subtask}
 * which restoring subtask ends it; the job id only keeps gids unique when a job starts again without state and its
 * checkpoint ids start over.
 *
 * <p>{@code checkpoint} is the first checkpoint the transaction can belong to (the writer's last snapshotted
 * checkpoint + 1; Flink does not tell {@code prepareCommit()} the id): never more than the real one, and more than
 * every checkpoint this subtask completed before, which is all the restore rules need.
 */
public record TransactionGid(String pipeline, int subtask, long checkpoint, String jobId) {
    static final String PREFIX = "fsj";
    private static final Pattern GID = Pattern.compile(PREFIX + ":([A-Za-z0-9._-]{1,64}):(\\d{1,9}):(\\d{1,19}):([0-9a-f]{32})");

    public TransactionGid {
        if (!Pattern.matches("[A-Za-z0-9._-]{1,64}", pipeline) || subtask < 0 || checkpoint < 0
                || !Pattern.matches("[0-9a-f]{32}", jobId)) {
            throw new IllegalArgumentException("not a valid transaction id: " + pipeline + "/" + subtask + "/"
                    + checkpoint + "/" + jobId);
        }
    }

    public String gid() {
        return PREFIX + ":" + pipeline + ":" + subtask + ":" + checkpoint + ":" + jobId;
    }

    /** The sink's id in a gid of {@code pg_prepared_xacts}; empty for any other transaction. */
    public static Optional<TransactionGid> parse(String gid) {
        Matcher m = GID.matcher(gid);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TransactionGid(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return gid();
    }

    /** The committable's serializer: the gid as text, so a stored committable reads the same as the database's. */
    public static final class Serializer implements SimpleVersionedSerializer<TransactionGid> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(TransactionGid id) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(id.gid());
            }
            return bytes.toByteArray();
        }

        @Override
        public TransactionGid deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown version " + version + " of a transaction id");
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                String gid = in.readUTF();
                return parse(gid).orElseThrow(() -> new IOException("not a transaction id of this sink: " + gid));
            }
        }
    }
}
