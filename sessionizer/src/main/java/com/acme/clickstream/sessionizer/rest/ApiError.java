package com.acme.clickstream.sessionizer.rest;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The JSON body of every error answer: {"status":400,"error":"Bad Request","message":"..."}. */
@RegisterForReflection
public record ApiError(int status, String error, String message) {}
