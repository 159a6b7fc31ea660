package com.acme.clickstream.sessionizer.streams;

import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sessions store's builder: it builds a new inner store (and serde) per task, with the changelog as set. */
class HeaderStoreTest {

    @Test
    void changelogIsOnByDefaultAndKeepsItsTopicConfig() {
        StoreBuilder<KeyValueStore<String, UserHeader>> b = HeaderStore.builder(Stores.inMemoryKeyValueStore("s"));
        assertThat(b.name()).isEqualTo("s");
        assertThat(b.loggingEnabled()).isTrue();
        assertThat(b.logConfig()).isEmpty();

        b.withLoggingEnabled(Map.of("min.compaction.lag.ms", "60000"));
        assertThat(b.loggingEnabled()).isTrue();
        assertThat(b.logConfig()).isEqualTo(Map.of("min.compaction.lag.ms", "60000"));

        b.withLoggingDisabled();
        assertThat(b.loggingEnabled()).isFalse();
        assertThat(b.logConfig()).isEmpty();
    }

    @Test
    void everyBuildIsANewStoreAndTheRecordCacheStaysOff() {
        StoreBuilder<KeyValueStore<String, UserHeader>> b = HeaderStore.builder(Stores.inMemoryKeyValueStore("s"));
        assertThat(b.withCachingDisabled()).isSameAs(b);
        assertThatThrownBy(b::withCachingEnabled).isInstanceOf(UnsupportedOperationException.class);
        KeyValueStore<String, UserHeader> one = b.build();
        KeyValueStore<String, UserHeader> two = b.build();
        assertThat(one).isInstanceOf(HeaderStore.class).isNotSameAs(two);
        assertThat(one.name()).isEqualTo("s");
    }
}
