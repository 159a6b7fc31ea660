package com.acme.clickstream.loadtest.verify;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RFC 3986 URI-reference check and page path (the raw path component, neither decoded nor
 * normalised; empty = "/"). Small on purpose: characters, percent-escapes, scheme syntax, and
 * brackets only around an IP-literal host.
 */
public final class PagePath {
    /** RFC 3986 appendix B: splits any string; validity is checked separately. */
    private static final Pattern SPLIT = Pattern.compile("^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?$", Pattern.DOTALL);
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final Pattern PORT = Pattern.compile("[0-9]*");
    private static final BitSet ALLOWED = new BitSet(128);

    static {
        String unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
        String reserved = ":/?#[]@!$&'()*+,;=";
        for (char c : (unreserved + reserved + "%").toCharArray()) {
            ALLOWED.set(c);
        }
    }

    private PagePath() {}

    /** The page path of a URI reference, or null when the string is not a URI reference. */
    public static String of(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c >= 128 || !ALLOWED.get(c)) {
                return null;
            }
            if (c == '%' && (i + 2 >= url.length() || !hex(url.charAt(i + 1)) || !hex(url.charAt(i + 2)))) {
                return null;
            }
        }
        Matcher m = SPLIT.matcher(url);
        if (!m.matches()) {
            return null;
        }
        String scheme = m.group(2);
        String authority = m.group(4);
        String path = m.group(5);
        String query = m.group(7);
        String fragment = m.group(9);
        if (scheme != null && !SCHEME.matcher(scheme).matches()) {
            return null;
        }
        if (authority != null && !validAuthority(authority)) {
            return null;
        }
        if (contains(path, "[]") || contains(query, "[]#") || contains(fragment, "[]#")) {
            return null;
        }
        if (scheme == null && authority == null) {
            // relative-ref: a first segment with ':' would have been a scheme (path-noscheme).
            int slash = path.indexOf('/');
            String first = slash < 0 ? path : path.substring(0, slash);
            if (first.indexOf(':') >= 0) {
                return null;
            }
        }
        if (authority != null && !path.isEmpty() && !path.startsWith("/")) {
            return null;
        }
        return path.isEmpty() ? "/" : path;
    }

    private static boolean validAuthority(String authority) {
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (authority.indexOf('@') >= 0 && contains(authority.substring(0, authority.lastIndexOf('@')), "[]@")) {
            return false;
        }
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || contains(hostPort.substring(1, close), "[]")) {
                return false;
            }
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return false;
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            if (contains(hostPort, "[]")) {
                return false;
            }
            int colon = hostPort.indexOf(':');
            port = colon < 0 ? "" : hostPort.substring(colon + 1);
        }
        return PORT.matcher(port).matches();
    }

    private static boolean contains(String s, String chars) {
        if (s == null) {
            return false;
        }
        for (char c : chars.toCharArray()) {
            if (s.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
