package com.acme.clickstream.sessionizer.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** Forwarded open-sessions queries carry any user id intact in the URL path. */
class PathSegmentTest {
    private static final HostInfo OWNER = new HostInfo("10.0.0.7", 8080);

    @Test
    void theForwardUrlIsTheOwnersLocalOnlyEndpoint() {
        assertThat(OpenSessionsResource.forwardUri(OWNER, "user-1_a.b~c"))
                .isEqualTo(URI.create("http://10.0.0.7:8080/api/users/user-1_a.b~c/sessions/open?local=true"));
    }

    @Test
    void everyCharacterThatWouldChangeThePathIsEncoded() {
        String raw = OpenSessionsResource.forwardUri(OWNER, "a b/c?d#e%f").getRawPath();
        assertThat(raw).isEqualTo("/api/users/a%20b%2Fc%3Fd%23e%25f/sessions/open");
    }

    @Test
    void theEncodedIdDecodesBackToItself() {
        String id = "weird id/with?every#thing%and+ünïcödé 😀";
        URI uri = OpenSessionsResource.forwardUri(OWNER, id);
        assertThat(uri.getPath()).isEqualTo("/api/users/" + id + "/sessions/open");
        assertThat(uri.getQuery()).isEqualTo("local=true");
    }
}
