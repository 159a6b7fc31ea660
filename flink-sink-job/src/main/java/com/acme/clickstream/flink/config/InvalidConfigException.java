package com.acme.clickstream.flink.config;

/** A setting of the job is missing or has a bad value; the message names the setting. Thrown before any job starts. */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
