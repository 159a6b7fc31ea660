package com.acme.clickstream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** PostgreSQL is backed up (WAL archive + scheduled base backups) with credentials from a Secret, and README tells how to restore. */
class BackupTest {

    @Test
    void walArchivingAndAScheduledBaseBackupToObjectStorage() {
        JsonNode backup = Manifests.one("Cluster", "clickstream-db").spec().path("backup");
        JsonNode store = backup.path("barmanObjectStore");
        assertThat(store.path("destinationPath").asText()).matches("(s3|gs|https)://.+");
        assertThat(store.path("wal").path("compression").asText()).isNotBlank();
        assertThat(backup.path("retentionPolicy").asText()).matches("\\d+[dwm]");
        // Credentials only from a Secret (or the pod's cloud identity).
        JsonNode creds = store.path("s3Credentials");
        if (!creds.path("inheritFromIAMRole").asBoolean()) {
            for (String k : new String[] {"accessKeyId", "secretAccessKey"}) {
                assertThat(creds.path(k).path("name").asText()).as(k).isNotBlank();
                assertThat(creds.path(k).path("key").asText()).as(k).isNotBlank();
            }
        }
        JsonNode scheduled = Manifests.ofKind("ScheduledBackup").get(0).spec();
        assertThat(scheduled.path("cluster").path("name").asText()).isEqualTo("clickstream-db");
        assertThat(scheduled.path("method").asText()).isEqualTo("barmanObjectStore");
        // CloudNativePG's cron has six fields, seconds first.
        assertThat(scheduled.path("schedule").asText().split(" ")).hasSize(6);
    }

    @Test
    void theReadmeDocumentsTheRestoreAndTheSecret() throws Exception {
        String readme = Files.readString(Manifests.k8sDir().resolve("README.md"));
        String secret = Manifests.one("Cluster", "clickstream-db").spec().path("backup").path("barmanObjectStore")
                .path("s3Credentials").path("accessKeyId").path("name").asText();
        assertThat(readme).contains("## Back up and restore PostgreSQL").contains("create secret generic " + secret)
                .contains("recovery:").contains("targetTime").contains("externalClusters");
    }

    @Test
    void flinksBucketCredentialsComeFromASecret() {
        var env = Env.of(Consistency.flinkContainer());
        assertThat(env.get("AWS_ACCESS_KEY_ID").secret()).isEqualTo("clickstream-flink-s3/AWS_ACCESS_KEY_ID");
        assertThat(env.get("AWS_SECRET_ACCESS_KEY").secret()).isEqualTo("clickstream-flink-s3/AWS_SECRET_ACCESS_KEY");
    }
}
