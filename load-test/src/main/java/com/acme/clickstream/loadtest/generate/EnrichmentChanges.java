package com.acme.clickstream.loadtest.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes of the compacted topics while the events flow: after n records of the events topic exactly
 * floor(n × share) changes were planned. Change j (from 0) goes to {@code clickstream.users} when j is even and to
 * {@code clickstream.pages} when odd, and is a tombstone when j % 3 == 2 (so both topics get tombstones, a third of
 * their changes), else a new profile (country, segment; every fifth without a segment) or page info (category,
 * title) — which may re-create a deleted entry.
 *
 * <p>Only users and pages that had a record of their own before the load are changed (Zipf-weighted, so the busy
 * ones that have sessions): the ones never described stay so. A later run on the same topics sends its own records
 * for the described ones first, which resets whatever this run left; it sends nothing for the undescribed ones, so
 * a value left there would reach that run's sessions.
 *
 * <p>Its own random stream: the events are the same with and without changes.
 */
public final class EnrichmentChanges {
    public static final String PROFILE_UPDATE = "profile_update";
    public static final String PROFILE_TOMBSTONE = "profile_tombstone";
    public static final String PAGE_UPDATE = "page_update";
    public static final String PAGE_TOMBSTONE = "page_tombstone";

    /** One record for the users topic ({@code users} true) or the pages topic. */
    public record Change(boolean users, SentRecord record) {}

    private final Catalog catalog;
    private final double share;
    private final SplittableRandom rnd;
    private final Zipf userZipf;
    private final Zipf pageZipf;
    private long planned;

    EnrichmentChanges(Catalog catalog, long seed, double share, double zipfExponent) {
        this.catalog = catalog;
        this.share = share;
        this.rnd = new SplittableRandom(seed ^ 0x3C6EF372FE94F82BL);
        this.userZipf = new Zipf(catalog.userIds.size(), zipfExponent);
        this.pageZipf = new Zipf(catalog.paths.size(), zipfExponent);
    }

    /** The changes due once {@code events} records of the events topic were planned (to be sent right after them). */
    public List<Change> dueAfter(long events) {
        long due = share <= 0 ? 0 : (long) Math.floor(events * share);
        if (due <= planned) {
            return List.of();
        }
        List<Change> out = new ArrayList<>();
        while (planned < due) {
            out.add(change(planned++));
        }
        return out;
    }

    /** Changes planned so far. */
    public long planned() {
        return planned;
    }

    private Change change(long j) {
        boolean tombstone = j % 3 == 2;
        if (j % 2 == 0) {
            String id = catalog.userIds.get(described(userZipf.sample(rnd), catalog.userDescribed));
            if (tombstone) {
                return new Change(true, SentRecord.of(id, null, PROFILE_TOMBSTONE));
            }
            ObjectNode p = JsonNodeFactory.instance.objectNode().put("user_id", id)
                    .put("country", Catalog.COUNTRIES[rnd.nextInt(Catalog.COUNTRIES.length)]);
            if (j % 5 != 4) {
                p.put("segment", Catalog.SEGMENTS[rnd.nextInt(Catalog.SEGMENTS.length)]);
            }
            return new Change(true, SentRecord.of(id, p.toString(), PROFILE_UPDATE));
        }
        String path = catalog.paths.get(described(pageZipf.sample(rnd), catalog.pageDescribed));
        if (tombstone) {
            return new Change(false, SentRecord.of(path, null, PAGE_TOMBSTONE));
        }
        String category = Catalog.CATEGORIES[rnd.nextInt(Catalog.CATEGORIES.length)];
        ObjectNode info = JsonNodeFactory.instance.objectNode().put("path", path).put("category", category)
                .put("title", Catalog.title(path, category));
        return new Change(false, SentRecord.of(path, info.toString(), PAGE_UPDATE));
    }

    /** The nearest described rank at or above {@code rank} in popularity (every undescribed one has a described neighbour). */
    private static int described(int rank, boolean[] described) {
        for (int i = rank; i >= 0; i--) {
            if (described[i]) {
                return i;
            }
        }
        for (int i = rank + 1; i < described.length; i++) {
            if (described[i]) {
                return i;
            }
        }
        throw new IllegalStateException("nothing described");
    }
}
