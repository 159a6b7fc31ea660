package com.acme.clickstream.k8s;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** The environment of a container as Kubernetes builds it: envFrom ConfigMaps, then env. */
final class Env {
    private Env() {}

    /** A variable and where its value comes from. */
    record Var(String name, String value, String secret, String configMap, String fieldRef) {
        boolean fromSecret() { return secret != null; }
    }

    static Map<String, Var> of(JsonNode container) {
        Map<String, Var> vars = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            if (from.has("secretRef")) throw new AssertionError("envFrom secretRef hides variable names: use env secretKeyRef");
            String cm = from.path("configMapRef").path("name").asText();
            Manifests.Doc doc = Manifests.one("ConfigMap", cm);
            doc.tree().path("data").fields().forEachRemaining(e ->
                    vars.put(e.getKey(), new Var(e.getKey(), e.getValue().asText(), null, cm, null)));
        }
        for (JsonNode e : container.path("env")) {
            String name = e.path("name").asText();
            JsonNode vf = e.path("valueFrom");
            if (vf.has("secretKeyRef")) {
                vars.put(name, new Var(name, null, vf.path("secretKeyRef").path("name").asText() + "/"
                        + vf.path("secretKeyRef").path("key").asText(), null, null));
            } else if (vf.has("fieldRef")) {
                vars.put(name, new Var(name, null, null, null, vf.path("fieldRef").path("fieldPath").asText()));
            } else if (vf.has("configMapKeyRef")) {
                String cm = vf.path("configMapKeyRef").path("name").asText();
                String value = Manifests.one("ConfigMap", cm).tree().path("data").path(vf.path("configMapKeyRef").path("key").asText()).asText();
                vars.put(name, new Var(name, value, null, cm, null));
            } else {
                vars.put(name, new Var(name, e.path("value").asText(), null, null, null));
            }
        }
        return vars;
    }

    static String literal(JsonNode container, String name) {
        Var v = of(container).get(name);
        if (v == null || v.value() == null) throw new AssertionError("no literal value for " + name);
        return v.value();
    }

    static String secretRef(JsonNode container, String name) {
        Var v = of(container).get(name);
        if (v == null || v.secret() == null) throw new AssertionError(name + " is not from a Secret");
        return v.secret();
    }
}
