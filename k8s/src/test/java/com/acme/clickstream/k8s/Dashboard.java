package com.acme.clickstream.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The Grafana dashboard k8s/grafana/clickstream-dashboard.json. */
final class Dashboard {
    private Dashboard() {}

    static Path file() {
        return Manifests.k8sDir().resolve("grafana/clickstream-dashboard.json");
    }

    static JsonNode load() {
        try {
            return JsonMapper.builder().build().readTree(file().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PromQL of every panel target. */
    static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : load().path("panels")) {
            for (JsonNode t : panel.path("targets")) exprs.add(t.path("expr").asText());
        }
        return exprs;
    }
}
