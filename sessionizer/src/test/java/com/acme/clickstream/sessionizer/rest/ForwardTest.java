package com.acme.clickstream.sessionizer.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.ws.rs.core.Response;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

/**
 * A forwarded open-sessions query reaches the owner as plain HTTP/1.1. The JDK client's default (HTTP/2, upgraded
 * from cleartext with {@code Upgrade: h2c}) lost bytes of a big response now and then when the owner, a Quarkus
 * instance, accepted the upgrade: one fresh connection in about a hundred failed with "protocol error: Frame
 * type(..) exceeds MAX_FRAME_SIZE", and the caller got 503 for a healthy owner.
 */
class ForwardTest {

    @Test
    void theOwnerIsAskedOverHttp11WithoutAnUpgradeAndItsAnswerIsPassedOn() throws Exception {
        byte[] body = ("[" + "{\"session_id\":\"s\"},".repeat(20_000) + "{}]").getBytes(StandardCharsets.UTF_8);
        List<Headers> requests = new CopyOnWriteArrayList<>();
        HttpServer owner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        owner.createContext("/", exchange -> {
            requests.add(exchange.getRequestHeaders());
            exchange.getResponseHeaders().add(OpenSessionsResource.SERVED_BY, "owner:8080");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        owner.start();
        try {
            OpenSessionsResource resource = new OpenSessionsResource(UnavailableBodyTest.unresolvable(),
                    UnavailableBodyTest.unresolvable(), UnavailableBodyTest.API, SessionRules.defaults());
            Response answer = resource.forward(new HostInfo("127.0.0.1", owner.getAddress().getPort()), "u1",
                    "Bearer t");

            assertThat(answer.getStatus()).isEqualTo(200);
            assertThat((byte[]) answer.getEntity()).isEqualTo(body);
            assertThat(answer.getHeaderString(OpenSessionsResource.SERVED_BY)).isEqualTo("owner:8080");
            assertThat(requests).hasSize(1);
            Headers request = requests.get(0);
            assertThat(request.containsKey("Upgrade")).as("Upgrade header: " + request.get("Upgrade")).isFalse();
            assertThat(request.containsKey("HTTP2-Settings")).isFalse();
            assertThat(request.getFirst("Authorization")).isEqualTo("Bearer t");
        } finally {
            owner.stop(0);
        }
    }
}
