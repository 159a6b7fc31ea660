package com.acme.clickstream.sessionizer.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** Forwarded open-sessions queries carry any user id intact in the URL path. */
class PathSegmentTest {

    @Test
    void unreservedCharactersStayAndEverythingElseIsPercentEncodedUtf8() {
        assertThat(OpenSessionsResource.pathSegment("user-1_a.b~c")).isEqualTo("user-1_a.b~c");
        assertThat(OpenSessionsResource.pathSegment("a b+c/d?e#f%")).isEqualTo("a%20b%2Bc%2Fd%3Fe%23f%25");
        assertThat(OpenSessionsResource.pathSegment("Zoë→😀")).isEqualTo("Zo%C3%AB%E2%86%92%F0%9F%98%80");
    }

    @Test
    void theEncodedIdDecodesBackToItself() {
        String id = "weird id/with?every#thing%and ünïcödé 😀";
        URI uri = URI.create("http://h:1/api/users/" + OpenSessionsResource.pathSegment(id) + "/sessions/open");
        assertThat(uri.getPath()).isEqualTo("/api/users/" + id + "/sessions/open");
    }
}
