package com.acme.clickstream.sessionizer.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a compacted lookup topic (profiles, pages) to its global store; a null value deletes. Each write moves the
 * store's update count, which tells the processors' caches of parsed values ({@link Enrichment}) to start over.
 */
final class LookupStoreUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = Logger.getLogger(LookupStoreUpdater.class);

    private final String storeName;
    private final Class<?> type;
    private final ObjectMapper mapper;
    private final AtomicLong updates;
    private KeyValueStore<String, byte[]> store;

    LookupStoreUpdater(String storeName, Class<?> type, ObjectMapper mapper, AtomicLong updates) {
        this.storeName = storeName;
        this.type = type;
        this.mapper = mapper;
        this.updates = updates;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            updates.incrementAndGet(); // after the write: a lookup that sees the old count reads the store after it
            return;
        }
        if (Enrichment.parse(mapper, record.value(), type, record.key()) == null) {
            // Kept as is: it reads as unknown, exactly as after a restore (which copies raw bytes).
            LOG.warnf("malformed %s value for key '%s' in store %s: treated as unknown", type.getSimpleName(),
                    record.key(), storeName);
        }
        store.put(record.key(), record.value());
        updates.incrementAndGet();
    }
}
