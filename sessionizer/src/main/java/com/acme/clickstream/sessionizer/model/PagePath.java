package com.acme.clickstream.sessionizer.model;

import java.net.URI;
import java.net.URISyntaxException;

/** The contract's page path of a URL: raw RFC 3986 path, not decoded or normalised; empty is "/". */
public final class PagePath {

    private PagePath() {
    }

    /**
     * @return the page path, or null when {@code url} does not parse as a URI reference (java.net.URI).
     * For an opaque URI such as {@code mailto:a@b?subject=x} the RFC 3986 path is the scheme-specific
     * part up to the query ({@code a@b}); java.net.URI reports no path there, so it is taken from that part.
     */
    public static String of(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String path;
        if (uri.isOpaque()) {
            String ssp = uri.getRawSchemeSpecificPart();
            int q = ssp.indexOf('?');
            path = q < 0 ? ssp : ssp.substring(0, q);
        } else {
            path = uri.getRawPath();
        }
        return path == null || path.isEmpty() ? "/" : path;
    }
}
