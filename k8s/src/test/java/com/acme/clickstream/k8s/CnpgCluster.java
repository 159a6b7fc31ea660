package com.acme.clickstream.k8s;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * CloudNativePG's {@code Cluster} (postgresql.cnpg.io/v1). CloudNativePG publishes no Java model and
 * its CRD cannot be fetched here, so this is a closed model of the part of the API that
 * postgres.yaml uses, written from the CloudNativePG API reference (ClusterSpec, PostgresConfiguration,
 * SynchronousReplicaConfiguration, BootstrapInitDB, ManagedConfiguration/RoleConfiguration,
 * StorageConfiguration, AffinityConfiguration, BackupConfiguration/BarmanObjectStoreConfiguration (barman-cloud
 * api), MonitoringConfiguration; operator 1.25+). Field names and enum values are the
 * reference's; a field that is not modelled here is rejected like a typo, so a manifest change that
 * uses a new CloudNativePG field must extend this model (after checking the reference).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CnpgCluster(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Spec(Integer instances,
                String description,
                String imageName,
                PrimaryUpdateStrategy primaryUpdateStrategy,
                PrimaryUpdateMethod primaryUpdateMethod,
                Postgresql postgresql,
                Bootstrap bootstrap,
                Managed managed,
                Storage storage,
                Storage walStorage,
                ResourceRequirements resources,
                Affinity affinity,
                Backup backup,
                Monitoring monitoring,
                Boolean enableSuperuserAccess,
                Integer startDelay,
                Integer stopDelay) {}

    enum PrimaryUpdateStrategy { unsupervised, supervised }

    enum PrimaryUpdateMethod { switchover, restart }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Postgresql(Map<String, String> parameters,
                      Synchronous synchronous,
                      @JsonProperty("pg_hba") List<String> pgHba,
                      @JsonProperty("pg_ident") List<String> pgIdent,
                      List<String> shared_preload_libraries) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Synchronous(SyncMethod method,
                       Integer number,
                       DataDurability dataDurability,
                       Integer maxStandbyNamesFromCluster,
                       List<String> standbyNamesPre,
                       List<String> standbyNamesPost) {}

    enum SyncMethod { any, first }

    enum DataDurability { required, preferred }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Bootstrap(InitDb initdb) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InitDb(String database,
                  String owner,
                  LocalObjectReference secret,
                  String encoding,
                  String localeCollate,
                  String localeCType,
                  Boolean dataChecksums,
                  List<String> postInitSQL,
                  List<String> postInitApplicationSQL,
                  List<String> postInitTemplateSQL) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Managed(List<Role> roles) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Role(String name,
                String comment,
                Ensure ensure,
                LocalObjectReference passwordSecret,
                Boolean disablePassword,
                Boolean login,
                Boolean superuser,
                Boolean createdb,
                Boolean createrole,
                Boolean inherit,
                Boolean replication,
                Boolean bypassrls,
                Integer connectionLimit,
                String validUntil,
                List<String> inRoles) {}

    enum Ensure { present, absent }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Storage(String size, String storageClass, Boolean resizeInUseVolumes) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Affinity(Boolean enablePodAntiAffinity,
                    String topologyKey,
                    AntiAffinityType podAntiAffinityType,
                    Map<String, String> nodeSelector) {}

    enum AntiAffinityType { preferred, required }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Backup(String retentionPolicy, BarmanObjectStore barmanObjectStore, BackupTarget target) {}

    enum BackupTarget {
        @JsonProperty("primary") PRIMARY,
        @JsonProperty("prefer-standby") PREFER_STANDBY
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BarmanObjectStore(String destinationPath,
                             String endpointURL,
                             String serverName,
                             S3Credentials s3Credentials,
                             Wal wal,
                             Data data) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record S3Credentials(SecretKeySelector accessKeyId,
                         SecretKeySelector secretAccessKey,
                         SecretKeySelector region,
                         SecretKeySelector sessionToken,
                         Boolean inheritFromIAMRole) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SecretKeySelector(String name, String key) {}

    enum Compression { gzip, bzip2, snappy }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Wal(Compression compression, Integer maxParallel) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Data(Compression compression, Integer jobs, Boolean immediateCheckpoint) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Monitoring(List<SecretKeySelector> customQueriesConfigMap, Boolean disableDefaultQueries) {}
}
