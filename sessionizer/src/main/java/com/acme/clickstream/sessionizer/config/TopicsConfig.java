package com.acme.clickstream.sessionizer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Topic names of the contract ("Topics"); each configurable, e.g. SESSIONIZER_TOPICS_EVENTS. */
@ConfigMapping(prefix = "sessionizer.topics")
public interface TopicsConfig {
    @WithDefault("clickstream.events")
    String events();

    @WithDefault("clickstream.users")
    String users();

    @WithDefault("clickstream.pages")
    String pages();

    @WithDefault("clickstream.sessions")
    String sessions();

    @WithDefault("clickstream.events.dlq")
    String dlq();

    @WithDefault("clickstream.events.late")
    String late();
}
