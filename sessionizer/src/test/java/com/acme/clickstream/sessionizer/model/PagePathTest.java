package com.acme.clickstream.sessionizer.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

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

    /**
     * The one-scan path for plain http(s) URLs must agree with java.net.URI on every string it takes: random
     * strings built around its edges (escapes, user info, ports, brackets, spaces, second '#', non-ASCII).
     */
    @Test
    void theFastPathAgreesWithJavaNetUriWhereverItAnswers() {
        String[] prefixes = {"http://", "https://", "HTTP://", "http:/", "https://a", "http://x.example", ""};
        String alphabet = "aZ09.-:/?#%%%@[]!~*'();&=+$,_ \u00e9\"<>{}|^`";
        SplittableRandom rnd = new SplittableRandom(20261203L);
        int answered = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder(prefixes[rnd.nextInt(prefixes.length)]);
            int len = rnd.nextInt(14);
            for (int k = 0; k < len; k++) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String url = b.toString();
            String fast = PagePath.plainHttp(url);
            if (fast != null) {
                answered++;
                assertThat(fast).as(url).isEqualTo(PagePath.parsed(url));
            }
        }
        assertThat(answered).as("strings the fast path answered (fixed seed)").isEqualTo(7018);
        assertThat(PagePath.plainHttp("https://shop.example.com:8443/p/4%2F2;v=1?ref=mail&x=/?#top"))
                .isEqualTo("/p/4%2F2;v=1");
        assertThat(PagePath.plainHttp("https://user@shop.example.com/p")).isNull();
        assertThat(PagePath.plainHttp("https://shop.example.com/a b")).isNull();
    }
}
