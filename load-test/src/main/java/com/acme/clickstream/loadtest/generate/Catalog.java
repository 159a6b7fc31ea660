package com.acme.clickstream.loadtest.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import com.acme.clickstream.loadtest.model.SentRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The users and pages of a generated shop, derived from the seed: user profiles for
 * clickstream.users and page infos for clickstream.pages, including the cases enrichment must
 * handle (users and pages never described, a profile deleted by a tombstone, unknown fields).
 */
final class Catalog {
    static final String[] CATEGORIES = {"shoes", "electronics", "books", "garden", "toys", "fashion", "sports",
            "beauty", "kitchen", "music", "games", "outdoor"};
    static final String[] COUNTRIES = {"DE", "DE", "DE", "US", "US", "FR", "GB", "PL", "NL", "ES", "IT", "AT", "CH", "BR"};
    static final String[] SEGMENTS = {"new", "new", "returning", "returning", "returning", "loyal", "vip"};
    private static final String[] PLAIN_PAGES = {"/", "/search", "/cart", "/checkout", "/account", "/help"};

    final List<String> userIds = new ArrayList<>();
    final List<String> userAgents = List.of(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
            "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36");
    /** Paths by popularity rank (Zipf over this list): plain pages, category pages, product pages. */
    final List<String> paths = new ArrayList<>();
    final List<SentRecord> userRecords = new ArrayList<>();
    final List<SentRecord> pageRecords = new ArrayList<>();
    /** Whether user i, page path i (by rank) has a record of its own before the load (else it is never described). */
    final boolean[] userDescribed;
    final boolean[] pageDescribed;

    Catalog(long seed, int users, int products) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        ObjectMapper mapper = new ObjectMapper();
        userDescribed = new boolean[users];
        for (int i = 0; i < users; i++) {
            String id = String.format("u%06d", i);
            userIds.add(id);
            // Every 30th user has no profile at all: country/segment must come out null.
            if (i % 30 == 29) {
                continue;
            }
            userDescribed[i] = true;
            ObjectNode p = mapper.createObjectNode()
                    .put("user_id", id)
                    .put("country", COUNTRIES[rnd.nextInt(COUNTRIES.length)])
                    .put("segment", SEGMENTS[rnd.nextInt(SEGMENTS.length)]);
            if (i % 7 == 3) {
                p.put("signup_year", 2015 + rnd.nextInt(11)); // unknown field: ignored
            }
            userRecords.add(SentRecord.of(id, p.toString(), "profile"));
            // Every 97th profile is deleted again: the tombstone makes it unknown.
            if (i % 97 == 96) {
                userRecords.add(SentRecord.of(id, null, "tombstone"));
            }
        }
        for (String p : PLAIN_PAGES) {
            paths.add(p);
        }
        for (String c : CATEGORIES) {
            paths.add("/c/" + c);
        }
        for (int i = 0; i < products; i++) {
            paths.add("/p/" + (1000 + i));
        }
        pageDescribed = new boolean[paths.size()];
        int n = 0;
        for (String path : paths) {
            n++;
            // Every 25th page is never described (landing_category null), every 61st deleted again.
            if (n % 25 == 0) {
                continue;
            }
            pageDescribed[n - 1] = true;
            String category = path.startsWith("/c/") ? path.substring(3)
                    : path.startsWith("/p/") ? CATEGORIES[rnd.nextInt(CATEGORIES.length)] : "site";
            ObjectNode info = mapper.createObjectNode()
                    .put("path", path)
                    .put("category", category)
                    .put("title", title(path, category));
            pageRecords.add(SentRecord.of(path, info.toString(), "page"));
            if (n % 61 == 0) {
                pageRecords.add(SentRecord.of(path, null, "tombstone"));
            }
        }
    }

    static String title(String path, String category) {
        if (path.startsWith("/p/")) {
            return "Product " + path.substring(3) + " – " + category;
        }
        if (path.startsWith("/c/")) {
            return "All " + category;
        }
        return path.equals("/") ? "Home" : path.substring(1);
    }
}
