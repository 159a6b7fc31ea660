package com.acme.clickstream.sessionizer.model;

/** Stable codes of why a record is invalid: the {@code reason} tag of the metric and the DLQ header. */
public enum InvalidReason {
    NOT_UTF8("not_utf8"),
    NOT_JSON("not_json"),
    MISSING_FIELD("missing_field"),
    WRONG_TYPE("wrong_type"),
    TOO_LONG("too_long"),
    BAD_TS("bad_ts"),
    FUTURE_TS("future_ts"),
    BAD_URL("bad_url"),
    BAD_AMOUNT("bad_amount"),
    NUL_CHAR("nul_char");

    private final String code;

    InvalidReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
