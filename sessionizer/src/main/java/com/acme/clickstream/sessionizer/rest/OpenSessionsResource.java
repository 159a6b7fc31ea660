package com.acme.clickstream.sessionizer.rest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import com.acme.clickstream.sessionizer.config.ApiConfig;
import com.acme.clickstream.sessionizer.model.Session;
import com.acme.clickstream.sessionizer.streams.OpenSessionsQuery;
import com.acme.clickstream.sessionizer.streams.SessionRules;
import com.acme.clickstream.sessionizer.streams.SessionizerTopology;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * A user's open sessions, live from the Kafka Streams state store. Each user's sessions live on one
 * instance (the active owner of the user's partition): this instance answers from its local store when
 * it is that owner, and otherwise forwards the request to the owner, so any instance answers right.
 *
 * <p>Forwarding is a pass-through of the owner's status, body and two headers to an address known only per
 * request, so it uses the JDK's HTTP client (one per resource, a timeout per request) rather than a typed
 * REST client, which would need a client per owner and its error mapping switched off to pass statuses on.
 */
@Path("/api/users/{userId}/sessions/open")
@Produces(MediaType.APPLICATION_JSON)
public class OpenSessionsResource {
    /** The instance (application.server) whose state store answered: for operators and tests. */
    static final String SERVED_BY = "X-Sessionizer-Served-By";
    private final Instance<KafkaStreams> streams;
    private final ApiConfig api;
    private final SessionRules rules;
    private final HostInfo self;
    private final HttpClient http;

    /**
     * @param streamsConfig the configuration Kafka Streams runs with: its application.server is the
     *        address the other instances see for this one, whatever expression produced it
     */
    OpenSessionsResource(Instance<KafkaStreams> streams, Instance<StreamsConfig> streamsConfig, ApiConfig api,
            SessionRules rules) {
        this.streams = streams;
        this.api = api;
        this.rules = rules;
        StreamsConfig config = streamsConfig.isResolvable() ? streamsConfig.get() : null;
        String server = config == null ? "" : config.getString(StreamsConfig.APPLICATION_SERVER_CONFIG);
        this.self = server == null || server.isEmpty() ? null : HostInfo.buildFromEndpoint(server);
        // HTTP/1.1: the JDK client's default upgrade of a cleartext connection to HTTP/2 (h2c) lost bytes of a big
        // answer now and then (about one fresh connection in a hundred: "Frame type(..) exceeds MAX_FRAME_SIZE").
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(api.forwardTimeout())
                .build();
    }

    /** @param local set on forwarded requests: answer from this instance or fail, never forward again */
    @GET
    public Response open(@PathParam("userId") String userId, @QueryParam("local") boolean local,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Params.userId(userId);
        KafkaStreams ks = streams.isResolvable() ? streams.get() : null;
        if (ks == null || ks.state() != KafkaStreams.State.RUNNING) {
            throw rebalancing("Kafka Streams is " + (ks == null ? "not configured" : ks.state()));
        }
        KeyQueryMetadata owner;
        try {
            owner = ks.queryMetadataForKey(SessionizerTopology.SESSIONS_STORE, userId, Serdes.String().serializer());
        } catch (StreamsException | IllegalStateException e) {
            // The state changed since the check above (shutting down, or not started again yet).
            throw rebalancing("its state changed during the query", e);
        }
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null) {
            throw rebalancing("no instance owns the partition of this user right now");
        }
        if (self == null || self.equals(owner.activeHost())) {
            try {
                List<Session> open = OpenSessionsQuery.openSessions(ks, userId, owner.partition(), rules);
                Response.ResponseBuilder ok = Response.ok(open);
                if (self != null) {
                    ok.header(SERVED_BY, self.host() + ":" + self.port());
                }
                return ok.build();
            } catch (InvalidStateStoreException e) {
                throw rebalancing("the state store is migrating", e);
            }
        }
        if (local) {
            // Ownership moved between the forwarding instance's look-up and ours: let the caller retry.
            throw rebalancing("this instance no longer owns the partition of this user");
        }
        return forward(owner.activeHost(), userId, authorization);
    }

    /** @param authorization the caller's credentials, passed on: with authentication on, the owner asks for them too */
    Response forward(HostInfo owner, String userId, String authorization) {
        URI uri = forwardUri(owner, userId);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(api.forwardTimeout())
                .header("Accept", MediaType.APPLICATION_JSON);
        if (authorization != null) {
            builder.header(HttpHeaders.AUTHORIZATION, authorization);
        }
        HttpRequest request = builder.GET().build();
        try {
            HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Response.ResponseBuilder response = Response.status(answer.statusCode())
                    .type(MediaType.APPLICATION_JSON_TYPE).entity(answer.body());
            answer.headers().firstValue("Retry-After").ifPresent(v -> response.header("Retry-After", v));
            answer.headers().firstValue(SERVED_BY).ifPresent(v -> response.header(SERVED_BY, v));
            return response.build();
        } catch (IOException e) {
            throw ApiException.unavailable("the instance owning this user did not answer",
                    "owner " + owner.host() + ":" + owner.port(), api.retryAfterSeconds(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while asking the instance owning this user",
                    "owner " + owner.host() + ":" + owner.port(), api.retryAfterSeconds(), e);
        }
    }

    private ApiException rebalancing(String why) {
        return rebalancing(why, null);
    }

    /** @param why said to the caller: a state or a reason of ours, never an exception's text (that goes to the log) */
    private ApiException rebalancing(String why, RuntimeException cause) {
        return ApiException.unavailable("open sessions are unavailable while Kafka Streams rebalances: " + why, null,
                api.retryAfterSeconds(), cause);
    }

    /**
     * The owner's local-only URL for a user. JAX-RS template values are encoded as a whole path segment
     * ('/', '?', '#' and '%' included), so any user id arrives intact.
     */
    static URI forwardUri(HostInfo owner, String userId) {
        return UriBuilder.fromUri("http://" + owner.host() + ":" + owner.port())
                .path(OpenSessionsResource.class)
                .queryParam("local", true)
                .build(userId);
    }
}
