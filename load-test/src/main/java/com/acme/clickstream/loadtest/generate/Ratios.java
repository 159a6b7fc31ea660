package com.acme.clickstream.loadtest.generate;

/**
 * Shares of the records sent to the events topic that are deliberately not plain events.
 * Exact for a seed: the planner schedules each kind so that after n records floor(n × ratio) of it were
 * sent, at most one behind, deferring a kind only while no safe candidate exists (e.g. no recent event
 * to duplicate yet).
 *
 * <p>Beside them, two settings that are not shares of the events topic, both off by default:
 * {@code enrichmentChange}, changes of the compacted topics sent between the events (after n events exactly
 * floor(n × enrichmentChange) were sent, see {@link EnrichmentChanges}), and {@code marathonUsers}, users who
 * click without a pause for longer than the max duration (see {@link EventPlanner}).
 */
public record Ratios(double duplicate, double outOfOrder, double late, double invalid, double miskeyed, double nullValue,
                     double lateIntoSession, double staleDuplicate, double enrichmentChange, int marathonUsers) {

    public Ratios {
        for (double r : new double[] {duplicate, outOfOrder, late, invalid, miskeyed, nullValue, lateIntoSession,
                staleDuplicate, enrichmentChange}) {
            if (r < 0 || r > 1) {
                throw new IllegalArgumentException("ratios must be within [0, 1]");
            }
        }
        if (duplicate + outOfOrder + late + invalid + miskeyed + nullValue + lateIntoSession + staleDuplicate > 0.5) {
            throw new IllegalArgumentException("ratios add up to more than 0.5: too few plain events to build on");
        }
        if (marathonUsers < 0) {
            throw new IllegalArgumentException("marathon users must be >= 0");
        }
    }

    public Ratios(double duplicate, double outOfOrder, double late, double invalid, double miskeyed, double nullValue,
                  double lateIntoSession, double staleDuplicate) {
        this(duplicate, outOfOrder, late, invalid, miskeyed, nullValue, lateIntoSession, staleDuplicate, 0, 0);
    }

    /** The kinds only: no too-late event into a final session, no duplicate of an older event. */
    public Ratios(double duplicate, double outOfOrder, double late, double invalid, double miskeyed, double nullValue) {
        this(duplicate, outOfOrder, late, invalid, miskeyed, nullValue, 0, 0);
    }

    public static Ratios none() {
        return new Ratios(0, 0, 0, 0, 0, 0);
    }

    /** The example mix: 2 % duplicates, 5 % out of order, 1 % too late, 1 % malformed, 1 % mis-keyed, 0.5 % null. */
    public static Ratios defaults() {
        return new Ratios(0.02, 0.05, 0.01, 0.01, 0.01, 0.005);
    }

    /**
     * The same mix plus the harder cases: 1 % too-late events that would join or extend a user's final session,
     * 1 % copies of events older than a plain duplicate's (up to 3 × the inactivity gap, often of a final session).
     */
    public Ratios withHardCases(double lateIntoSession, double staleDuplicate) {
        return new Ratios(duplicate, outOfOrder, late, invalid, miskeyed, nullValue, lateIntoSession, staleDuplicate,
                enrichmentChange, marathonUsers);
    }

    /** The same mix with profile and page updates and tombstones sent between the events at that share. */
    public Ratios withEnrichmentChanges(double share) {
        return new Ratios(duplicate, outOfOrder, late, invalid, miskeyed, nullValue, lateIntoSession, staleDuplicate,
                share, marathonUsers);
    }

    /** The same mix with that many users clicking without a pause for longer than the max duration. */
    public Ratios withMarathonUsers(int users) {
        return new Ratios(duplicate, outOfOrder, late, invalid, miskeyed, nullValue, lateIntoSession, staleDuplicate,
                enrichmentChange, users);
    }
}
