package com.acme.clickstream.sessionizer.rest;

import jakarta.ws.rs.core.Response;

/**
 * An error answer with its status; mapped to {@link ApiError} JSON by {@link ApiExceptionMapper}. The message is
 * the caller's; the detail and the cause are the operator's: they go to the log only, because they name what a
 * caller has no business knowing (peer addresses, driver and Kafka Streams exception text).
 */
public class ApiException extends RuntimeException {
    private final Response.Status status;
    private final Integer retryAfterSeconds;
    private final String detail;

    private ApiException(Response.Status status, String message, String detail, Integer retryAfterSeconds,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.detail = detail;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, message, null, null, null);
    }

    /** @param detail for the log only (may be null) */
    public static ApiException unavailable(String message, String detail, int retryAfterSeconds, Throwable cause) {
        return new ApiException(Response.Status.SERVICE_UNAVAILABLE, message, detail, retryAfterSeconds, cause);
    }

    public String detail() {
        return detail;
    }

    public Response.Status status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
