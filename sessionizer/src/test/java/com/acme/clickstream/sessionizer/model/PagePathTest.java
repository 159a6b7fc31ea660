package com.acme.clickstream.sessionizer.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PagePathTest {

    @Test
    void fullUrlDropsSchemeAuthorityQueryAndFragment() {
        assertThat(PagePath.of("https://shop.example.com/p/42?ref=mail#top")).isEqualTo("/p/42");
    }

    @Test
    void relativeReferences() {
        assertThat(PagePath.of("/cart")).isEqualTo("/cart");
        assertThat(PagePath.of("cart/items?x=1")).isEqualTo("cart/items");
        assertThat(PagePath.of("//cdn.example.com/img/a.png")).isEqualTo("/img/a.png");
        assertThat(PagePath.of("?q=1")).isEqualTo("/");
    }

    @Test
    void emptyPathIsSlash() {
        assertThat(PagePath.of("https://shop.example.com")).isEqualTo("/");
        assertThat(PagePath.of("https://shop.example.com?x=1#y")).isEqualTo("/");
        assertThat(PagePath.of("")).isEqualTo("/");
    }

    @Test
    void percentEncodingAndDotSegmentsStayRaw() {
        assertThat(PagePath.of("https://x.example/caf%C3%A9/a%2Fb")).isEqualTo("/caf%C3%A9/a%2Fb");
        assertThat(PagePath.of("https://x.example/a/../b/./c")).isEqualTo("/a/../b/./c");
        assertThat(PagePath.of("HTTPS://X.EXAMPLE/Case")).isEqualTo("/Case");
    }

    @Test
    void opaqueUriPathIsTheSchemeSpecificPartUpToTheQuery() {
        assertThat(PagePath.of("mailto:a@b.example?subject=x")).isEqualTo("a@b.example");
        assertThat(PagePath.of("urn:isbn:0451450523")).isEqualTo("isbn:0451450523");
    }

    @Test
    void notAUriReference() {
        assertThat(PagePath.of("https://shop.example.com/a b")).isNull();
        assertThat(PagePath.of("http://")).isNull();
        assertThat(PagePath.of("%zz")).isNull();
    }
}
