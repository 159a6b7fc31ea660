package com.acme.clickstream.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchResultTest {
    private final BenchResult result = new BenchResult(240_000, 1999.6, 1987.4, 2001.2, 900, 2450, 3100, 3400, 3600, 2000, 180,
            15_432.6, 8_765.4, 21_098.7, 9_000, 20_000, 500, true, "verify: OK sessions=1 events=1 duplicates=0 late=0 invalid=0 null=0",
            Path.of("r.html"));

    @Test
    void resultLineIsExactlyTheAgreedFormat() {
        assertThat(result.resultLine()).isEqualTo(
                "RESULT events_per_s=1987 p99_close_to_row_ms=2450 checkpoint_ms=2000 baseline_ks_events_per_s=15433"
                        + " xa_rows_per_s=8765 jdbc_rows_per_s=21099");
    }

    @Test
    void steadySlopeUsesTheSecondHalfOfTheLoad() {
        // rows: nothing for 5 s (warm-up), then 100/s until t=10 s, then the tail; the sessionizer 200/s throughout
        List<Sampler.Sample> samples = java.util.stream.LongStream.rangeClosed(0, 14)
                .mapToObj(t -> new Sampler.Sample(t * 1000, t * 300, t * 200, t, Math.max(0, t - 5) * 100 + (t > 10 ? 5000 : 0)))
                .toList();
        assertThat(Bench.steadySlope(samples, 0, 10_000, true)).isEqualTo(100.0);
        assertThat(Bench.steadySlope(samples, 0, 10_000, false)).isEqualTo(200.0);
        assertThat(Bench.steadySlope(List.of(), 0, 10_000, true)).isZero();
    }

    @Test
    void reportHasPlotsAndTheResultLine(@TempDir Path dir) throws Exception {
        RowLatencies rows = new RowLatencies();
        long origin = 1_796_400_000_000L;
        for (int i = 1; i <= 100; i++) {
            rows.record(origin + 20_000 + i * 100L, i * 10L);
        }
        rows.record(origin + 5_000, 3_600); // a slow row at the start
        Histogram steady = rows.since(origin + 20_000);
        Histogram all = rows.since(Long.MIN_VALUE);
        List<Sampler.Sample> samples = List.of(new Sampler.Sample(0, 0, 0, 0, 0), new Sampler.Sample(1000, 2000, 1500, 10, 1000));
        Path html = Report.write(dir, result, samples, steady, all, rows.byInterval(origin, 10_000), "notes");
        String text = Files.readString(html);
        assertThat(text).contains(result.resultLine()).contains("<svg").contains("<polyline")
                .contains("whole run: final to row visible p99 (ms)</th><td>3400<");
        assertThat(Files.readString(dir.resolve("result.txt"))).isEqualTo(result.resultLine() + "\n");
        assertThat(Files.readString(dir.resolve("latency.hgrm"))).contains("Value     Percentile")
                .contains("#[Max     =     1000.000, Total count    =          100]");
        assertThat(Files.readString(dir.resolve("latency-all.hgrm")))
                .contains("#[Max     =     3601.000, Total count    =          101]");
        assertThat(Files.readAllLines(dir.resolve("latency-by-10s.csv"))).containsExactly(
                "seconds_final,rows,p50_ms,p99_ms,max_ms", "0,1,3601,3601,3601", "20,99,500,990,990", "30,1,1000,1000,1000");
        assertThat(Files.readAllLines(dir.resolve("samples.csv"))).containsExactly("seconds,sent,sessionizer_committed,rows,events_in_rows",
                "0.000,0,0,0,0", "1.000,2000,1500,10,1000");
    }
}
