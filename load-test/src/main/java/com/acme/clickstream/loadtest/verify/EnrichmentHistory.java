package com.acme.clickstream.loadtest.verify;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What enrichment a session may carry, from the records of users.jsonl and pages.jsonl.
 *
 * <p>The contract enriches a session with what the instance had applied when the session became final. Verify knows
 * neither moment (when the sessionizer applied a record, when a session became final), only the order and wall
 * clock of the sends. So: the records sent before the first event (sent_at below the first event's) are the
 * enrichment of the load, exact as before; for a user or page with a record sent from then on (changed during the
 * load), a session may carry any value the entry held from the load's start on — the value in effect when the load
 * started (unknown when there was none, or a tombstone) and each value sent later (unknown for a tombstone). A
 * profile is one value: country and segment must come from the same one. Records without a send time (files written
 * by hand) count as sent before the load.
 */
public final class EnrichmentHistory {
    /** An unknown profile: what a session of a user without one carries. */
    public static final ReferenceSessionizer.Profile UNKNOWN = new ReferenceSessionizer.Profile(null, null);

    private final Map<String, ReferenceSessionizer.Profile> lastProfiles = new HashMap<>();
    private final Map<String, String> lastCategories = new HashMap<>();
    private final Map<String, Set<ReferenceSessionizer.Profile>> changedProfiles = new HashMap<>();
    private final Map<String, Set<String>> changedCategories = new HashMap<>();

    /**
     * @param loadStartMs send time of the first event; records sent before it are the enrichment of the load
     */
    public EnrichmentHistory(List<SentRecord> users, List<SentRecord> pages, long loadStartMs) {
        for (SentRecord r : users) {
            if (r.key() == null) {
                continue;
            }
            JsonNode v = Verifier.json(r.value());
            ReferenceSessionizer.Profile p = v == null || !v.isObject() ? null
                    : new ReferenceSessionizer.Profile(Verifier.text(v, "country"), Verifier.text(v, "segment"));
            apply(r, p, loadStartMs, lastProfiles, changedProfiles, UNKNOWN);
        }
        for (SentRecord r : pages) {
            if (r.key() == null) {
                continue;
            }
            JsonNode v = Verifier.json(r.value());
            String c = v == null || !v.isObject() ? null : Verifier.text(v, "category");
            apply(r, c, loadStartMs, lastCategories, changedCategories, null);
        }
    }

    private static <T> void apply(SentRecord r, T value, long loadStartMs, Map<String, T> last,
                                  Map<String, Set<T>> changed, T unknown) {
        boolean duringLoad = r.sentAtMs() > 0 && r.sentAtMs() >= loadStartMs;
        if (duringLoad && !changed.containsKey(r.key())) {
            Set<T> held = new HashSet<>();
            held.add(last.getOrDefault(r.key(), unknown));
            changed.put(r.key(), held);
        }
        if (value == null) {
            last.remove(r.key());
        } else {
            last.put(r.key(), value);
        }
        if (duringLoad) {
            changed.get(r.key()).add(value == null ? unknown : value);
        }
    }

    /** The profiles as last sent (what an unchanged user's sessions carry): absent = unknown. */
    public Map<String, ReferenceSessionizer.Profile> lastProfiles() {
        return Collections.unmodifiableMap(lastProfiles);
    }

    /** The categories as last sent: absent = unknown. */
    public Map<String, String> lastCategories() {
        return Collections.unmodifiableMap(lastCategories);
    }

    /** Every profile the user held during the load ({@link #UNKNOWN} for none), or null when it never changed. */
    public Set<ReferenceSessionizer.Profile> profilesHeld(String userId) {
        return changedProfiles.get(userId);
    }

    /** Every category the page held during the load (null for unknown), or null when it never changed. */
    public Set<String> categoriesHeld(String path) {
        return changedCategories.get(path);
    }

    public int changedUsers() {
        return changedProfiles.size();
    }

    public int changedPages() {
        return changedCategories.size();
    }
}
