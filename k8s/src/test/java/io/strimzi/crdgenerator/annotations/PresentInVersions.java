package io.strimzi.crdgenerator.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declaration of Strimzi's annotation (io.strimzi:crd-annotations, a "provided" dependency of the api
 * that the registry here serves only for Java 21). With it on the classpath, reflection reads the
 * annotation that the Strimzi 0.51.0 model classes carry: in which API versions a property exists
 * (e.g. "v1beta2" for properties removed in v1). Used by StrictModels.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.FIELD})
public @interface PresentInVersions {
    String value();
}
