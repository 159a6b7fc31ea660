package com.acme.clickstream.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RowLatenciesTest {
    private static final long ORIGIN = 1_796_400_000_000L;

    @Test
    void theSteadyStateIsTheRowsFinalFromItsStartOnAndTheWholeRunIsEveryRow() {
        RowLatencies rows = new RowLatencies();
        rows.record(ORIGIN + 35_000, 3_500); // the run's first sessions, final at once
        rows.record(ORIGIN + 35_100, 3_400);
        for (int i = 0; i < 5_000; i++) { // more than the initial capacity
            rows.record(ORIGIN + 100_000 + i, 1_000 + i % 1_000);
        }

        Histogram steady = rows.since(ORIGIN + 100_000);
        assertThat(steady.getTotalCount()).isEqualTo(5_000);
        assertThat(steady.getMaxValue()).isEqualTo(1_999);
        assertThat(steady.getValueAtPercentile(99)).isEqualTo(1_989);

        Histogram all = rows.since(Long.MIN_VALUE);
        assertThat(all.getTotalCount()).isEqualTo(5_002);
        assertThat(all.getMaxValue()).isEqualTo(3_501); // 3,500 within the histogram's 3 significant digits
        assertThat(rows.size()).isEqualTo(5_002);
    }

    @Test
    void latenciesAreClampedToTheHistogramsRange() {
        RowLatencies rows = new RowLatencies();
        rows.record(ORIGIN, -5); // the sessionizer's clock a little ahead of the database's
        rows.record(ORIGIN, RowLatencies.HIGHEST_MS + 1);
        Histogram all = rows.since(Long.MIN_VALUE);
        assertThat(all.getMinValue()).isZero();
        assertThat(all.valuesAreEquivalent(all.getMaxValue(), RowLatencies.HIGHEST_MS)).isTrue();
    }

    @Test
    void byIntervalGroupsRowsByWhenTheirSessionBecameFinalAndLeavesEmptyIntervalsOut() {
        RowLatencies rows = new RowLatencies();
        rows.record(ORIGIN - 1_000, 700); // final before the origin: the first interval
        rows.record(ORIGIN + 9_999, 300);
        rows.record(ORIGIN + 25_000, 2_000);
        rows.record(ORIGIN + 29_000, 1_000);

        assertThat(rows.byInterval(ORIGIN, 10_000)).containsExactly(
                new RowLatencies.Interval(0, 2, 300, 700, 700),
                new RowLatencies.Interval(20_000, 2, 1_000, 2_000, 2_000));
        assertThat(new RowLatencies().byInterval(ORIGIN, 10_000)).isEmpty();
        assertThatThrownBy(() -> rows.byInterval(ORIGIN, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intervalMs");
    }
}
