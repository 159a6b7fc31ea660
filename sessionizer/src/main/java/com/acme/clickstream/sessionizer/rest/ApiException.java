package com.acme.clickstream.sessionizer.rest;

import jakarta.ws.rs.core.Response;

/** An error answer with its status; mapped to {@link ApiError} JSON by {@link ApiExceptionMapper}. */
public class ApiException extends RuntimeException {
    private final Response.Status status;
    private final Integer retryAfterSeconds;

    private ApiException(Response.Status status, String message, Integer retryAfterSeconds, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Response.Status.BAD_REQUEST, message, null, null);
    }

    public static ApiException unavailable(String message, int retryAfterSeconds, Throwable cause) {
        return new ApiException(Response.Status.SERVICE_UNAVAILABLE, message, retryAfterSeconds, cause);
    }

    public Response.Status status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
