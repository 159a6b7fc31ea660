package com.acme.clickstream.flink.config;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a secret is found, never the secret: the name of an environment variable or the path of a file. It travels
 * in the job graph (it is {@link Serializable}) and {@link #resolve()} reads the value in the process that needs it,
 * a TaskManager or the JobManager, from that process's own environment or file system; so the job graph, which the
 * REST API, the web UI, the HA store and savepoints expose, holds no password.
 *
 * @param what     what the secret is, for error messages ("the PostgreSQL password")
 * @param variable the environment variable holding it, or null
 * @param file     the file holding it (surrounding whitespace is stripped), or null; exactly one of the two is set
 */
public record SecretRef(String what, String variable, String file) implements Serializable {

    private static final long serialVersionUID = 1L;

    public SecretRef {
        Objects.requireNonNull(what, "what");
        if ((variable == null) == (file == null)) {
            throw new IllegalArgumentException("a secret reference names either an environment variable or a file");
        }
    }

    public static SecretRef environment(String what, String variable) {
        return new SecretRef(what, variable, null);
    }

    public static SecretRef file(String what, String path) {
        return new SecretRef(what, null, Path.of(path).toAbsolutePath().normalize().toString());
    }

    public boolean isFile() {
        return file != null;
    }

    /**
     * The secret, read now in this process.
     *
     * @throws MissingSecretException naming the variable or the file, when it is unset, empty or unreadable
     */
    public String resolve() {
        if (variable != null) {
            String value = System.getenv(variable);
            if (value == null || value.isEmpty()) {
                throw new MissingSecretException(what + ": the environment variable " + variable + " is "
                        + (value == null ? "not set" : "empty") + " in this process (" + processName() + "). It is "
                        + "read where the job runs, on the JobManager and every TaskManager, not only where the job "
                        + "was submitted");
            }
            return value;
        }
        try {
            String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                throw new MissingSecretException(what + ": the file " + file + " is empty in this process ("
                        + processName() + ")");
            }
            return value;
        } catch (IOException e) {
            throw new MissingSecretException(what + ": the file " + file + " cannot be read in this process ("
                    + processName() + "): " + e + ". It is read where the job runs, on the JobManager and every "
                    + "TaskManager, not only where the job was submitted", e);
        }
    }

    private static String processName() {
        return ProcessHandle.current().pid() + "@" + hostName();
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        return host == null || host.isBlank() ? "localhost" : host;
    }

    /** {@code env:NAME} or {@code file:/path}: safe to log. */
    @Override
    public String toString() {
        return variable != null ? "env:" + variable : "file:" + file;
    }

    /** A secret that is not where its reference says, in the process that needs it. */
    public static final class MissingSecretException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingSecretException(String message) {
            super(message);
        }

        MissingSecretException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
