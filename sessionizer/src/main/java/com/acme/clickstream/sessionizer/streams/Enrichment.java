package com.acme.clickstream.sessionizer.streams;

import com.acme.clickstream.sessionizer.model.PageInfo;
import com.acme.clickstream.sessionizer.model.UserProfile;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

/**
 * Reads profiles and page info from the global stores. The stores hold the topics' raw bytes (global stores are
 * restored byte-for-byte from their topic, bypassing any processor), so values are parsed here; a malformed
 * value counts as unknown.
 */
final class Enrichment {

    private static final Logger LOG = Logger.getLogger(Enrichment.class);

    private final ReadOnlyKeyValueStore<String, byte[]> profiles;
    private final ReadOnlyKeyValueStore<String, byte[]> pages;
    private final ObjectMapper mapper;

    Enrichment(ReadOnlyKeyValueStore<String, byte[]> profiles, ReadOnlyKeyValueStore<String, byte[]> pages,
               ObjectMapper mapper) {
        this.profiles = profiles;
        this.pages = pages;
        this.mapper = mapper;
    }

    UserProfile profile(String userId) {
        return read(profiles, userId, UserProfile.class);
    }

    PageInfo page(String path) {
        return read(pages, path, PageInfo.class);
    }

    private <T> T read(ReadOnlyKeyValueStore<String, byte[]> store, String key, Class<T> type) {
        if (store == null) {
            return null;
        }
        byte[] raw = store.get(key);
        return raw == null ? null : parse(mapper, raw, type, key);
    }

    /** @return the parsed value, or null (logged) when it is not a JSON object of the expected shape */
    static <T> T parse(ObjectMapper mapper, byte[] raw, Class<T> type, String key) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = mapper.readTree(raw);
            if (node == null || !node.isObject()) {
                LOG.debugf("%s for key '%s' is not a JSON object: treated as unknown", type.getSimpleName(), key);
                return null;
            }
            return mapper.treeToValue(node, type);
        } catch (Exception e) {
            LOG.debugf("malformed %s for key '%s' treated as unknown: %s", type.getSimpleName(), key, e.getMessage());
            return null;
        }
    }
}
