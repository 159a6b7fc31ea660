package com.acme.clickstream.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * CloudNativePG's {@code ScheduledBackup} (postgresql.cnpg.io/v1): a closed model of the fields postgres.yaml uses,
 * written from the CloudNativePG API reference (ScheduledBackupSpec), like {@link CnpgCluster}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CnpgScheduledBackup(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Spec(String schedule,
                LocalObjectReference cluster,
                Boolean immediate,
                Boolean suspend,
                BackupOwnerReference backupOwnerReference,
                Method method,
                CnpgCluster.BackupTarget target) {}

    enum BackupOwnerReference { none, self, cluster }

    enum Method { barmanObjectStore, volumeSnapshot, plugin }
}
