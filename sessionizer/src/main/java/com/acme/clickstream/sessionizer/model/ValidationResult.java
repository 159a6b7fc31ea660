package com.acme.clickstream.sessionizer.model;

/** Outcome of validating one click-event value. */
public sealed interface ValidationResult {

    record Valid(String userId, Event event) implements ValidationResult {
    }

    record Invalid(InvalidReason reason, String message) implements ValidationResult {
    }
}
