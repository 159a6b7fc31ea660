package com.acme.clickstream.flink.local;

import java.io.IOException;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The newest complete checkpoint under a checkpoint directory. Flink lays checkpoints out as
 * {@code <dir>/<job id>/chk-<n>/_metadata}; {@code _metadata} is written last, so a {@code chk-<n>} without it is a
 * checkpoint that never completed. Across job ids (every local start is a new job), the newest {@code _metadata}
 * wins; within one job the highest number.
 */
public final class LatestCheckpoint {
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

    private LatestCheckpoint() {}

    public record Found(String path, String jobId, long checkpointId, long modificationTime) {}

    public static Optional<Found> find(String checkpointDirUri) throws IOException {
        Path root = new Path(checkpointDirUri);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        Found best = null;
        for (FileStatus job : list(fs, root)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(fs, job.getPath())) {
                Matcher m = CHECKPOINT_DIR.matcher(chk.getPath().getName());
                if (!chk.isDir() || !m.matches()) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), "_metadata");
                if (!fs.exists(metadata)) {
                    continue;
                }
                Found found = new Found(chk.getPath().toString(), job.getPath().getName(), Long.parseLong(m.group(1)),
                        fs.getFileStatus(metadata).getModificationTime());
                if (best == null || ORDER.compare(found, best) > 0) {
                    best = found;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static final Comparator<Found> ORDER = Comparator.comparingLong(Found::modificationTime)
            .thenComparingLong(Found::checkpointId);

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        return entries == null ? new FileStatus[0] : entries;
    }
}
