package com.acme.clickstream.k8s;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/**
 * Strict parsing of a manifest into the official Java model of its kind. A manifest passes only if:
 * <ol>
 *   <li>its (apiVersion, kind) is one of {@link #MODELS};</li>
 *   <li>Jackson reads it with unknown properties failing, no scalar coercion into strings
 *       (kubectl rejects {@code 8080} or {@code true} where a string is required) and no null for
 *       primitives;</li>
 *   <li>no {@code additionalProperties} map anywhere in the object graph holds anything: the fabric8
 *       and Strimzi models catch unknown fields there (JsonAnySetter) instead of failing;</li>
 *   <li>writing the model back gives every field and value of the input (a field the model dropped
 *       silently, e.g. by ignoring unknown properties, shows up here).</li>
 * </ol>
 */
final class StrictModels {

    /** apiVersion + " " + kind -> model class. */
    static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("v1 ConfigMap", ConfigMap.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("v1 ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1 StatefulSet", StatefulSet.class),
            Map.entry("batch/v1 Job", Job.class),
            Map.entry("policy/v1 PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("rbac.authorization.k8s.io/v1 Role", Role.class),
            Map.entry("rbac.authorization.k8s.io/v1 RoleBinding", RoleBinding.class),
            Map.entry("networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1 ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1 PodMonitor", PodMonitor.class),
            Map.entry("kafka.strimzi.io/v1 Kafka", Kafka.class),
            Map.entry("kafka.strimzi.io/v1 KafkaNodePool", KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1 KafkaTopic", KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1 KafkaUser", io.strimzi.api.kafka.model.user.KafkaUser.class),
            Map.entry("monitoring.coreos.com/v1 PrometheusRule", io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule.class),
            Map.entry("flink.apache.org/v1beta1 FlinkDeployment", FlinkDeployment.class),
            Map.entry("postgresql.cnpg.io/v1 Cluster", CnpgCluster.class),
            Map.entry("postgresql.cnpg.io/v1 ScheduledBackup", CnpgScheduledBackup.class));

    /**
     * flinkVersion values of operator releases newer than the api model on the classpath (1.10.0, whose
     * enum ends at v1_20). The manifest's value is checked against this list and replaced by v1_20 for
     * the model parse only.
     */
    static final Set<String> FLINK_VERSIONS_NEWER_THAN_MODEL = Set.of("v2_0");

    static final ObjectMapper MAPPER = strictMapper();

    private StrictModels() {}

    static ObjectMapper strictMapper() {
        JsonMapper m = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .build();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return m;
    }

    /** The problems of one manifest; empty when it conforms to its model. */
    static List<String> problems(JsonNode manifest) {
        List<String> problems = new ArrayList<>();
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        Class<?> model = MODELS.get(key);
        if (model == null) {
            problems.add("no model for apiVersion/kind '" + key + "'");
            return problems;
        }
        ObjectNode input = manifest.deepCopy();
        if (model == FlinkDeployment.class) {
            String v = input.path("spec").path("flinkVersion").asText();
            if (FLINK_VERSIONS_NEWER_THAN_MODEL.contains(v)) {
                ((ObjectNode) input.get("spec")).put("flinkVersion", "v1_20");
            }
        }
        Object parsed;
        try {
            parsed = MAPPER.treeToValue(input, model);
        } catch (Exception e) {
            problems.add(key + ": " + e.getMessage().lines().findFirst().orElse(""));
            return problems;
        }
        anyAdditionalProperties(parsed, "", Collections.newSetFromMap(new IdentityHashMap<>()), problems);
        String apiVersion = input.path("apiVersion").asText();
        if (apiVersion.startsWith("kafka.strimzi.io/")) {
            strimziVersionedProperties(parsed, apiVersion.substring(apiVersion.indexOf('/') + 1), "",
                    Collections.newSetFromMap(new IdentityHashMap<>()), problems);
        }
        JsonNode written = MAPPER.valueToTree(parsed);
        compare(input, written, "", problems);
        return problems;
    }

    /** Walks the model objects (not the JDK's) and reports every non-empty additionalProperties. */
    private static void anyAdditionalProperties(Object o, String path, Set<Object> seen, List<String> problems) {
        if (o == null || !seen.add(o)) return;
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> anyAdditionalProperties(v, path + "." + k, seen, problems));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) anyAdditionalProperties(e, path + "[" + i++ + "]", seen, problems);
            return;
        }
        String cn = o.getClass().getName();
        if (!(cn.startsWith("io.fabric8.") || cn.startsWith("io.strimzi.")
                || cn.startsWith("org.apache.flink.kubernetes.") || cn.startsWith("com.acme."))) {
            return;
        }
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || f.getType().isEnum()) continue;
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(o);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue;
                }
                if (v == null) continue;
                if (f.getName().equals("additionalProperties") && v instanceof Map<?, ?> extra) {
                    if (!extra.isEmpty()) {
                        problems.add("unknown field(s) " + extra.keySet() + " at " + (path.isEmpty() ? "<root>" : path)
                                + " (" + o.getClass().getSimpleName() + ")");
                    }
                    continue;
                }
                anyAdditionalProperties(v, path + "." + f.getName(), seen, problems);
            }
        }
    }

    private static final List<String> STRIMZI_VERSIONS = List.of("v1alpha1", "v1beta1", "v1beta2", "v1");

    /** Whether a Strimzi version range ("v1beta2", "v1alpha1-v1beta2", "v1+", comma lists) holds a version. */
    static boolean inRange(String range, String version) {
        int v = STRIMZI_VERSIONS.indexOf(version);
        for (String part : range.split(",")) {
            part = part.trim();
            if (part.endsWith("+")) {
                if (v >= STRIMZI_VERSIONS.indexOf(part.substring(0, part.length() - 1))) return true;
            } else if (part.contains("-")) {
                String[] ends = part.split("-");
                if (v >= STRIMZI_VERSIONS.indexOf(ends[0]) && v <= STRIMZI_VERSIONS.indexOf(ends[1])) return true;
            } else if (part.equals(version)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Strimzi's model holds the properties of all its API versions; @PresentInVersions on a getter says
     * in which ones a property exists. A set property that the manifest's version lacks is a problem.
     */
    private static void strimziVersionedProperties(Object o, String version, String path, Set<Object> seen, List<String> problems) {
        if (o == null || !seen.add(o)) return;
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> strimziVersionedProperties(v, version, path + "." + k, seen, problems));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) strimziVersionedProperties(e, version, path + "[" + i++ + "]", seen, problems);
            return;
        }
        if (!o.getClass().getName().startsWith("io.strimzi.")) return;
        for (java.lang.reflect.Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) continue;
            String n = m.getName();
            String prop = n.startsWith("get") && n.length() > 3 ? n.substring(3) : n.startsWith("is") && n.length() > 2 ? n.substring(2) : null;
            if (prop == null || n.equals("getClass") || n.equals("getAdditionalProperties")) continue;
            prop = Character.toLowerCase(prop.charAt(0)) + prop.substring(1);
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            boolean set = v != null && !(v instanceof Collection<?> c && c.isEmpty()) && !(v instanceof Map<?, ?> mm && mm.isEmpty());
            if (!set) continue;
            io.strimzi.crdgenerator.annotations.PresentInVersions present =
                    m.getAnnotation(io.strimzi.crdgenerator.annotations.PresentInVersions.class);
            if (present != null && !inRange(present.value(), version)) {
                problems.add(path + "." + prop + ": not in kafka.strimzi.io/" + version + " (only " + present.value() + ")");
                continue;
            }
            strimziVersionedProperties(v, version, path + "." + prop, seen, problems);
        }
    }

    /** Every field and value of {@code in} must be in {@code out} (the model written back). */
    private static void compare(JsonNode in, JsonNode out, String path, List<String> problems) {
        if (in.isObject()) {
            if (!out.isObject()) {
                problems.add(path + ": object in the manifest, " + out.getNodeType() + " in the model");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode o = out.get(e.getKey());
                String p = path + "." + e.getKey();
                if (path.isEmpty() && e.getKey().equals("apiVersion")) {
                    continue; // checked through MODELS; some models write their default version back
                }
                if (o == null || o.isMissingNode()) {
                    if (e.getValue().isNull() || isEmptyContainer(e.getValue()) || isDefaultScalar(e.getValue())) {
                        continue; // models that write only non-default values (Strimzi) leave these out
                    }
                    problems.add(p + ": dropped by the model (unknown field?)");
                } else {
                    compare(e.getValue(), o, p, problems);
                }
            }
        } else if (in.isArray()) {
            if (!out.isArray() || out.size() != in.size()) {
                problems.add(path + ": list differs in the model");
                return;
            }
            for (int i = 0; i < in.size(); i++) compare(in.get(i), out.get(i), path + "[" + i + "]", problems);
        } else if (in.isNumber() && out.isNumber()) {
            if (new BigDecimal(in.asText()).compareTo(new BigDecimal(out.asText())) != 0) {
                problems.add(path + ": " + in + " became " + out);
            }
        } else if (in.isNumber() && out.isTextual()) {
            // Quantity and IntOrString take a number and write it back as text.
            if (!in.asText().equals(out.asText())) problems.add(path + ": " + in + " became " + out);
        } else if (in.getNodeType() != out.getNodeType() || !in.asText().equals(out.asText())) {
            problems.add(path + ": " + in + " became " + out);
        }
    }

    private static boolean isDefaultScalar(JsonNode n) {
        return (n.isBoolean() && !n.booleanValue()) || (n.isNumber() && n.decimalValue().signum() == 0);
    }

    private static boolean isEmptyContainer(JsonNode n) {
        return (n.isObject() || n.isArray()) && n.isEmpty();
    }
}
