package com.acme.clickstream.sessionizer.streams;

/** What the sessionize processor forwards: a final session (JSON) or a too-late event (original bytes). */
record Output(Kind kind, byte[] bytes) {

    enum Kind { SESSION, LATE }

    static Output session(byte[] json) {
        return new Output(Kind.SESSION, json);
    }

    static Output late(byte[] raw) {
        return new Output(Kind.LATE, raw);
    }
}
