package com.acme.clickstream.sessionizer.config;

import java.time.DateTimeException;
import java.time.ZoneId;

import org.eclipse.microprofile.config.spi.Converter;

/** An IANA zone id ("Europe/Berlin"); an unknown one ("Mars/Olympus") fails the start. */
public final class ZoneIdConverter implements Converter<ZoneId> {
    @Override
    public ZoneId convert(String value) {
        try {
            return ZoneId.of(value.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("not a known IANA time zone such as Europe/Berlin: " + value.trim());
        }
    }
}
