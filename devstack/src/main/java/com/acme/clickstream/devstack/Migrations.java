package com.acme.clickstream.devstack;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

/** Applies the schema module's Flyway migrations (classpath:db/migration), as the sessionizer does at start. */
public final class Migrations {
    private Migrations() {}

    public static int apply(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate()
                .migrationsExecuted;
    }
}
