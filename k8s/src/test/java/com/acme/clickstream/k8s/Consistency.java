package com.acme.clickstream.k8s;

import com.fasterxml.jackson.databind.JsonNode;

/** Addresses derived from the resources that define them (Strimzi, CloudNativePG, the StatefulSet). */
final class Consistency {
    private Consistency() {}

    static final String NAMESPACE = "clickstream";

    static JsonNode sessionizerPod() {
        return Manifests.one("StatefulSet", "sessionizer").spec().path("template");
    }

    static JsonNode sessionizerContainer() {
        return sessionizerPod().path("spec").path("containers").get(0);
    }

    static JsonNode flinkContainer() {
        JsonNode containers = Manifests.one("FlinkDeployment", "clickstream-flink-sink").spec()
                .path("podTemplate").path("spec").path("containers");
        for (JsonNode c : containers) if (c.path("name").asText().equals("flink-main-container")) return c;
        throw new AssertionError("no flink-main-container in the pod template");
    }

    /** The listener clients use: internal, TLS, SCRAM-SHA-512 (the only one; KafkaSecurityTest). */
    static JsonNode kafkaClientListener() {
        Manifests.Doc kafka = Manifests.ofKind("Kafka").get(0);
        for (JsonNode l : kafka.spec().path("kafka").path("listeners")) {
            if (l.path("type").asText().equals("internal") && l.path("tls").asBoolean()
                    && l.path("authentication").path("type").asText().equals("scram-sha-512")) {
                return l;
            }
        }
        throw new AssertionError("no internal TLS listener with SCRAM-SHA-512 authentication");
    }

    /** {@code <kafka>-kafka-bootstrap.<ns>.svc:<port of the client listener>}: Strimzi's bootstrap service. */
    static String kafkaBootstrap() {
        Manifests.Doc kafka = Manifests.ofKind("Kafka").get(0);
        return kafka.name() + "-kafka-bootstrap." + kafka.namespace() + ".svc:" + kafkaClientListener().path("port").asInt();
    }

    /** Where every PostgreSQL client mounts CloudNativePG's CA (Secret {@code <cluster>-ca}, key ca.crt). */
    static final String POSTGRES_CA_DIR = "/etc/clickstream/postgres-ca";

    /**
     * {@code jdbc:postgresql://<cluster>-rw.<ns>.svc:5432/<database>}: CloudNativePG's read-write service, over TLS
     * with the certificate and host name verified against the cluster's CA.
     */
    static String jdbcUrl() {
        return jdbcUrl("rw");
    }

    /**
     * Where read-only reporting goes: CloudNativePG's {@code <cluster>-ro} service (the replicas) when the cluster
     * has a replica, that is at least two instances; with one instance, -ro has no endpoint and reads stay on -rw.
     */
    static String reportingJdbcUrl() {
        return jdbcUrl(Manifests.ofKind("Cluster").get(0).spec().path("instances").asInt(1) >= 2 ? "ro" : "rw");
    }

    private static String jdbcUrl(String service) {
        Manifests.Doc pg = Manifests.ofKind("Cluster").get(0);
        return "jdbc:postgresql://" + pg.name() + "-" + service + "." + pg.namespace() + ".svc:5432/"
                + pg.spec().path("bootstrap").path("initdb").path("database").asText()
                + "?sslmode=verify-full&sslrootcert=" + POSTGRES_CA_DIR + "/ca.crt";
    }

    /** The Secret in which CloudNativePG publishes the cluster's CA. */
    static String caSecret() {
        return Manifests.ofKind("Cluster").get(0).name() + "-ca";
    }

    /** The Secret CloudNativePG generates for the owner of the application database. */
    static String appSecret() {
        return Manifests.ofKind("Cluster").get(0).name() + "-app";
    }
}
