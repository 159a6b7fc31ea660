package com.acme.clickstream.loadtest.generate;

/**
 * Shares of the records sent to the events topic that are deliberately not plain events.
 * Exact for a seed: the planner schedules each kind so that after n records floor(n × ratio) of it were
 * sent, at most one behind, deferring a kind only while no safe candidate exists (e.g. no recent event
 * to duplicate yet).
 */
public record Ratios(double duplicate, double outOfOrder, double late, double invalid, double miskeyed, double nullValue) {

    public Ratios {
        for (double r : new double[] {duplicate, outOfOrder, late, invalid, miskeyed, nullValue}) {
            if (r < 0 || r > 1) {
                throw new IllegalArgumentException("ratios must be within [0, 1]");
            }
        }
        if (duplicate + outOfOrder + late + invalid + miskeyed + nullValue > 0.5) {
            throw new IllegalArgumentException("ratios add up to more than 0.5: too few plain events to build on");
        }
    }

    public static Ratios none() {
        return new Ratios(0, 0, 0, 0, 0, 0);
    }

    /** The example mix: 2 % duplicates, 5 % out of order, 1 % too late, 1 % malformed, 1 % mis-keyed, 0.5 % null. */
    public static Ratios defaults() {
        return new Ratios(0.02, 0.05, 0.01, 0.01, 0.01, 0.005);
    }
}
