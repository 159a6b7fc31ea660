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
        String path = plainHttp(url);
        return path != null ? path : parsed(url);
    }

    /** The reference reading: whatever java.net.URI makes of it. */
    static String parsed(String url) {
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

    /**
     * The common shape in one scan, without building a java.net.URI (a few percent of the stream thread): an
     * http(s) URL whose host is plain (letters, digits, dot, dash, an optional port) and whose path, query and
     * fragment use only characters java.net.URI takes as they are. Such a string always parses, with the path
     * from the first '/' after the host to the query or fragment. Anything else (user info, IPv6, spaces, non-ASCII,
     * a bad escape) returns null and is left to {@link #parsed}.
     */
    static String plainHttp(String url) {
        int start = url.startsWith("https://") ? 8 : url.startsWith("http://") ? 7 : -1;
        if (start < 0) {
            return null;
        }
        int n = url.length();
        int i = start;
        while (i < n && isHostChar(url.charAt(i))) {
            i++;
        }
        if (i == start || i < n && "/?#".indexOf(url.charAt(i)) < 0) {
            return null;
        }
        int pathStart = i;
        i = scan(url, i, false);
        if (i < 0) {
            return null;
        }
        int pathEnd = i;
        if (i < n && url.charAt(i) == '?') {
            i = scan(url, i + 1, true);
        }
        if (i >= 0 && i < n && url.charAt(i) == '#') {
            i = scan(url, i + 1, true);
            if (i >= 0 && i < n) {
                return null; // a second '#'
            }
        }
        if (i != n) {
            return null;
        }
        return pathEnd == pathStart ? "/" : url.substring(pathStart, pathEnd);
    }

    /** Index of the first '?' or '#' (a path) or '#' (a query or fragment) from i, or the end; -1 at a doubt. */
    private static int scan(String s, int i, boolean query) {
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '#' || c == '?' && !query) {
                return i;
            }
            if (c == '%') {
                if (i + 2 >= n || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return -1;
                }
                i += 3;
                continue;
            }
            if (!isPathChar(c) && !(query && c == '?')) {
                return -1;
            }
            i++;
        }
        return i;
    }

    private static boolean isHostChar(char c) {
        return isAlnum(c) || c == '.' || c == '-' || c == ':';
    }

    /** RFC 2396 pchar without escapes, plus '/' and ';': what java.net.URI takes in a path as is. */
    private static boolean isPathChar(char c) {
        return isAlnum(c) || "-_.!~*'()/;:@&=+$,".indexOf(c) >= 0;
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
