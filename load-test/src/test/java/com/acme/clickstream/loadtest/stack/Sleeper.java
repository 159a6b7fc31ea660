package com.acme.clickstream.loadtest.stack;

/** A child for the supervision tests: runs until killed. */
public final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(600_000);
    }
}
