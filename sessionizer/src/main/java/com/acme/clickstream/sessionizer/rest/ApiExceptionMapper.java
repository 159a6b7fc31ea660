package com.acme.clickstream.sessionizer.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;

@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(ApiException e) {
        if (e.status() == Response.Status.SERVICE_UNAVAILABLE) {
            // Outages are worth a line in the log, with what the body leaves out; bad requests are the caller's
            // business.
            LOG.warnf("503: %s%s%s", e.getMessage(), e.detail() == null ? "" : ": " + e.detail(),
                    e.getCause() == null ? "" : " (" + e.getCause() + ")");
        }
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(e.status().getStatusCode(), e.status().getReasonPhrase(), e.getMessage()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        return response.build();
    }
}
