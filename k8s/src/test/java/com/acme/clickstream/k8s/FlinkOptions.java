package com.acme.clickstream.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.apache.flink.configuration.ConfigOption;

/** The configuration keys of the Flink version the job is built with (flink-core's *Options classes). */
final class FlinkOptions {
    private FlinkOptions() {}

    static final String VERSION = jar().getFileName().toString().replaceAll("^flink-core-(.+)\\.jar$", "$1");

    static Path jar() {
        try {
            return Path.of(ConfigOption.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Set<String> keys() {
        return options().keySet();
    }

    /** Key -> option, for every public ConfigOption constant of flink-core's *Options classes. */
    static java.util.Map<String, ConfigOption<?>> options() {
        java.util.Map<String, ConfigOption<?>> keys = new java.util.TreeMap<>();
        Path jar = jar();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (!n.startsWith("org/apache/flink/configuration/") || !n.endsWith("Options.class") || n.contains("$")) continue;
                Class<?> c;
                try {
                    c = Class.forName(n.replace('/', '.').replace(".class", ""));
                } catch (Throwable t) {
                    continue;
                }
                for (Field f : c.getFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) || f.getType() != ConfigOption.class) continue;
                    try {
                        ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                        keys.put(o.key(), o);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
