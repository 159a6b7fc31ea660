package com.acme.clickstream.loadtest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.model.SessionRow;
import org.junit.jupiter.api.Test;

/**
 * Enrichment that changed during the load: a session may carry any value its user's profile or its landing page held
 * from the load's start on, nothing else; users and pages not changed during the load stay exact.
 */
class EnrichmentHistoryTest {
    private static final long LOAD_START = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();
    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

    private static SentRecord sent(String key, String value, long sentAt) {
        return SentRecord.of(key, value, null).withDelivery(0, 0, sentAt);
    }

    private static final List<SentRecord> USERS = List.of(
            sent("steady", "{\"user_id\":\"steady\",\"country\":\"DE\",\"segment\":\"vip\"}", LOAD_START - 5),
            sent("moved", "{\"user_id\":\"moved\",\"country\":\"DE\",\"segment\":\"new\"}", LOAD_START - 5),
            sent("moved", "{\"user_id\":\"moved\",\"country\":\"FR\",\"segment\":\"new\"}", LOAD_START + 10),
            sent("moved", null, LOAD_START + 20),
            // Deleted before the load, described again during it.
            sent("back", "{\"user_id\":\"back\",\"country\":\"PL\",\"segment\":\"loyal\"}", LOAD_START - 5),
            sent("back", null, LOAD_START - 4),
            sent("back", "{\"user_id\":\"back\",\"country\":\"US\"}", LOAD_START + 30));
    private static final List<SentRecord> PAGES = List.of(
            sent("/p/1", "{\"path\":\"/p/1\",\"category\":\"shoes\"}", LOAD_START - 5),
            sent("/p/2", "{\"path\":\"/p/2\",\"category\":\"books\"}", LOAD_START - 5),
            sent("/p/2", "{\"path\":\"/p/2\",\"category\":\"toys\"}", LOAD_START),
            sent("/p/2", null, LOAD_START + 1));

    private static SessionRow row(String user, String landing, String category, String country, String segment) {
        return new SessionRow("id", user, T0, T0, 0, 1, 1, 0, new BigDecimal("0.00"), landing, landing, category, country,
                segment, null, null, null, true, T0);
    }

    private static String diff(SessionRow expected, SessionRow actual) {
        return Verifier.fieldDiff(expected, actual, new EnrichmentHistory(USERS, PAGES, LOAD_START));
    }

    @Test
    void theValuesHeldDuringTheLoadAndOnlyThoseForChangedEntries() {
        EnrichmentHistory h = new EnrichmentHistory(USERS, PAGES, LOAD_START);
        assertThat(h.profilesHeld("steady")).isNull();
        assertThat(h.profilesHeld("moved")).containsExactlyInAnyOrder(new ReferenceSessionizer.Profile("DE", "new"),
                new ReferenceSessionizer.Profile("FR", "new"), EnrichmentHistory.UNKNOWN);
        assertThat(h.profilesHeld("back")).containsExactlyInAnyOrder(EnrichmentHistory.UNKNOWN,
                new ReferenceSessionizer.Profile("US", null));
        assertThat(h.categoriesHeld("/p/1")).isNull();
        assertThat(h.categoriesHeld("/p/2")).containsExactlyInAnyOrder("books", "toys", null);
        assertThat(h.lastProfiles()).containsOnlyKeys("steady", "back");
        assertThat(h.lastCategories()).containsOnlyKeys("/p/1");
    }

    @Test
    void aValueOutsideTheHeldSetFailsOneInsideItPasses() {
        // Expected rows carry the values as last sent; a changed entry's row may carry any value it held.
        SessionRow expected = row("moved", "/p/2", null, null, null);
        assertThat(diff(expected, row("moved", "/p/2", null, null, null))).isEmpty();
        assertThat(diff(expected, row("moved", "/p/2", "books", "DE", "new"))).isEmpty();
        assertThat(diff(expected, row("moved", "/p/2", "toys", "FR", "new"))).isEmpty();
        assertThat(diff(expected, row("moved", "/p/2", "shoes", "FR", "new")))
                .startsWith("landing_category shoes is none of the values its page held during the load");
        // Country and segment come from one profile: FR with the old profile's segment is fine, FR/vip never was.
        assertThat(diff(expected, row("moved", "/p/2", "toys", "FR", "vip"))).startsWith("country/segment FR/vip is none");
        assertThat(diff(expected, row("moved", "/p/2", "toys", "FR", null))).startsWith("country/segment FR/null is none");
        // The value from before the tombstone of before the load is not one the user held during it.
        assertThat(diff(row("back", null, null, "US", null), row("back", null, null, "PL", "loyal")))
                .startsWith("country/segment PL/loyal is none");
    }

    @Test
    void unchangedUsersAndPagesStayExact() {
        SessionRow expected = row("steady", "/p/1", "shoes", "DE", "vip");
        assertThat(diff(expected, expected)).isEmpty();
        assertThat(diff(expected, row("steady", "/p/1", "shoes", null, null)))
                .isEqualTo("country expected DE was null, segment expected vip was null");
        assertThat(diff(expected, row("steady", "/p/1", null, "DE", "vip")))
                .isEqualTo("landing_category expected shoes was null");
        // Without records sent during the load (a hand-written file, or a replay) everything is exact.
        assertThat(new EnrichmentHistory(USERS, PAGES, Long.MAX_VALUE).profilesHeld("moved")).isNull();
    }
}
