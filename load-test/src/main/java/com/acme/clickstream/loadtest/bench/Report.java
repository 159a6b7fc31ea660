package com.acme.clickstream.loadtest.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes report.html (inline SVG plots, no scripts or external files), latency.hgrm (the steady state: sessions final
 * in the second half of the load or after it), latency-all.hgrm (every session of the run), latency-by-10s.csv,
 * samples.csv and result.txt.
 */
final class Report {
    private Report() {}

    record Series(String name, String color, List<double[]> points) {}

    static Path write(Path dir, BenchResult r, List<Sampler.Sample> samples, Histogram latency, Histogram allLatency,
                      List<RowLatencies.Interval> latencyByTime, String notes) throws IOException {
        Files.createDirectories(dir);
        writeHgrm(dir.resolve("latency.hgrm"), latency);
        writeHgrm(dir.resolve("latency-all.hgrm"), allLatency);
        StringBuilder byTime = new StringBuilder("seconds_final,rows,p50_ms,p99_ms,max_ms\n");
        List<double[]> p99ByTime = new ArrayList<>();
        List<double[]> maxByTime = new ArrayList<>();
        for (RowLatencies.Interval i : latencyByTime) {
            byTime.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d%n", i.fromMs() / 1000, i.rows(), i.p50Ms(), i.p99Ms(),
                    i.maxMs()));
            p99ByTime.add(new double[] {i.fromMs() / 1000.0, i.p99Ms()});
            maxByTime.add(new double[] {i.fromMs() / 1000.0, i.maxMs()});
        }
        Files.writeString(dir.resolve("latency-by-10s.csv"), byTime);
        Files.writeString(dir.resolve("result.txt"), r.resultLine() + "\n");
        StringBuilder csv = new StringBuilder("seconds,sent,sessionizer_committed,rows,events_in_rows\n");
        for (Sampler.Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%.3f,%d,%d,%d,%d%n", s.atMs() / 1000.0, s.sent(), s.processed(), s.rows(), s.rowEvents()));
        }
        Files.writeString(dir.resolve("samples.csv"), csv);

        List<double[]> sent = new ArrayList<>();
        List<double[]> processed = new ArrayList<>();
        List<double[]> rowEvents = new ArrayList<>();
        List<double[]> sentRate = new ArrayList<>();
        List<double[]> processedRate = new ArrayList<>();
        List<double[]> rowRate = new ArrayList<>();
        Sampler.Sample prev = null;
        for (Sampler.Sample s : samples) {
            double t = s.atMs() / 1000.0;
            sent.add(new double[] {t, s.sent()});
            processed.add(new double[] {t, s.processed()});
            rowEvents.add(new double[] {t, s.rowEvents()});
            if (prev != null && s.atMs() > prev.atMs()) {
                double dt = (s.atMs() - prev.atMs()) / 1000.0;
                sentRate.add(new double[] {t, (s.sent() - prev.sent()) / dt});
                processedRate.add(new double[] {t, (s.processed() - prev.processed()) / dt});
                rowRate.add(new double[] {t, (s.rowEvents() - prev.rowEvents()) / dt});
            }
            prev = s;
        }
        List<double[]> percentiles = percentiles(latency);
        List<double[]> allPercentiles = percentiles(allLatency);

        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>clickstream bench</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1000px}td,th{padding:2px 10px;text-align:right}")
                .append("th{text-align:left}code{background:#eee;padding:2px}</style></head><body>")
                .append("<h1>Clickstream pipeline bench</h1><p><code>").append(esc(r.resultLine())).append("</code></p>");
        h.append("<table>");
        row(h, "events sent", r.eventsSent(), "");
        row(h, "generator rate (events/s)", r.sentPerSecond(), "achieved while sending");
        row(h, "pipeline end to end (events/s)", r.eventsPerSecond(), "events reaching rows in PostgreSQL, second half of the load");
        row(h, "sessionizer (events/s)", r.processedPerSecond(), "committed offsets of its consumer group, second half of the load");
        row(h, "final to row visible p50 (ms)", r.p50Ms(), "closed_at to the row's visibility (see notes), sessions final in the second half of the load or after it");
        row(h, "final to row visible p99 (ms)", r.p99Ms(), "");
        row(h, "final to row visible max (ms)", r.maxMs(), "");
        row(h, "sessions measured", latency.getTotalCount(), "");
        row(h, "whole run: final to row visible p99 (ms)", r.allP99Ms(), "every session of the run, its start included");
        row(h, "whole run: final to row visible max (ms)", r.allMaxMs(), "");
        row(h, "whole run: sessions measured", allLatency.getTotalCount(), "");
        row(h, "checkpoint interval (ms)", r.checkpointMs(), "Flink job --checkpoint-interval");
        row(h, "checkpoint duration avg (ms)", r.checkpointDurationAvgMs(), "Flink REST, -1 = not available");
        row(h, "baseline Kafka Streams (events/s)", r.baselineKsEventsPerSecond(), "groupByKey().windowedBy(SessionWindows).count(), exactly_once_v2, same topic from the start");
        row(h, "XA sink (rows/s)", r.xaRowsPerSecond(), "the Flink job's exactly-once sink (its SinkBenchmark; see notes)");
        row(h, "plain JDBC sink (rows/s)", r.jdbcRowsPerSecond(), "the Flink job's plain batched JDBC sink");
        row(h, "direct XA writes (rows/s)", r.directXaRowsPerSecond(), "2PC per batch of " + r.sinkBatch() + " rows, no Flink");
        row(h, "direct JDBC writes (rows/s)", r.directJdbcRowsPerSecond(), "local commit per batch of " + r.sinkBatch() + " rows, no Flink");
        h.append("</table><p>verify: <code>").append(esc(r.verifySummary().lines().findFirst().orElse(""))).append("</code></p>");

        h.append("<h2>Events over time (cumulative)</h2>").append(svg("seconds since start", "events", List.of(
                new Series("sent", "#1f77b4", sent), new Series("sessionizer committed", "#ff7f0e", processed),
                new Series("in rows", "#2ca02c", rowEvents))));
        h.append("<h2>Throughput (per second)</h2>").append(svg("seconds since start", "events/s", List.of(
                new Series("sent", "#1f77b4", sentRate), new Series("sessionizer", "#ff7f0e", processedRate),
                new Series("into rows", "#2ca02c", rowRate))));
        h.append("<h2>Session final → row visible: latency by percentile</h2>")
                .append(svg("percentile (1 = p90, 2 = p99, 3 = p99.9, 4 = max)", "ms",
                        List.of(new Series("second half of the load", "#d62728", percentiles),
                                new Series("whole run", "#7f7f7f", allPercentiles))));
        h.append("<h2>Session final → row visible: by when the session became final (10 s intervals)</h2>")
                .append(svg("seconds since start", "ms", List.of(new Series("p99", "#d62728", p99ByTime),
                        new Series("max", "#9467bd", maxByTime))));
        h.append("<h2>Throughput compared</h2>").append(bars(List.of(
                new String[] {"pipeline e2e events/s", fmt(r.eventsPerSecond())},
                new String[] {"baseline Kafka Streams events/s", fmt(r.baselineKsEventsPerSecond())},
                new String[] {"XA sink rows/s (Flink)", fmt(r.xaRowsPerSecond())},
                new String[] {"plain JDBC sink rows/s (Flink)", fmt(r.jdbcRowsPerSecond())},
                new String[] {"direct XA rows/s", fmt(r.directXaRowsPerSecond())},
                new String[] {"direct JDBC rows/s", fmt(r.directJdbcRowsPerSecond())})));
        h.append("<h2>Notes</h2><pre>").append(esc(notes)).append("</pre></body></html>");
        Path html = dir.resolve("report.html");
        Files.writeString(html, h.toString());
        return html;
    }

    private static List<double[]> percentiles(Histogram latency) {
        List<double[]> percentiles = new ArrayList<>();
        if (latency.getTotalCount() > 0) {
            for (HistogramIterationValue v : latency.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                // x = "nines": 0 at p0, 1 at p90, 2 at p99, 3 at p99.9
                percentiles.add(new double[] {p >= 100 ? 4 : -Math.log10(1 - p / 100.0), v.getValueIteratedTo()});
            }
        }
        return percentiles;
    }

    private static void writeHgrm(Path file, Histogram latency) throws IOException {
        ByteArrayOutputStream hgrm = new ByteArrayOutputStream();
        latency.outputPercentileDistribution(new PrintStream(hgrm, true, StandardCharsets.UTF_8), 1.0);
        Files.writeString(file, hgrm.toString(StandardCharsets.UTF_8));
    }

    private static void row(StringBuilder h, String name, double value, String note) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(fmt(value)).append("</td><td style=\"text-align:left\">")
                .append(esc(note)).append("</td></tr>");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String svg(String xLabel, String yLabel, List<Series> series) {
        int w = 900;
        int hgt = 320;
        int left = 80;
        int bottom = 40;
        double maxX = 1e-9;
        double maxY = 1e-9;
        for (Series s : series) {
            for (double[] p : s.points()) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(hgt + 30).append("\">");
        b.append("<line x1=\"").append(left).append("\" y1=\"10\" x2=\"").append(left).append("\" y2=\"").append(hgt - bottom)
                .append("\" stroke=\"#000\"/><line x1=\"").append(left).append("\" y1=\"").append(hgt - bottom).append("\" x2=\"")
                .append(w - 10).append("\" y2=\"").append(hgt - bottom).append("\" stroke=\"#000\"/>");
        for (int i = 0; i <= 4; i++) {
            double yv = maxY * i / 4;
            double y = (hgt - bottom) - (hgt - bottom - 10) * i / 4.0;
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>", left - 5, y + 4, fmt(yv)));
            double xv = maxX * i / 4;
            double x = left + (w - 10 - left) * i / 4.0;
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", x, hgt - bottom + 15, fmt(xv)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>", (w + left) / 2, hgt - 5, esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">%s</text>",
                hgt / 2, hgt / 2, esc(yLabel)));
        int legendY = 20;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                double x = left + (w - 10 - left) * p[0] / maxX;
                double y = (hgt - bottom) - (hgt - bottom - 10) * p[1] / maxY;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(s.color()).append("\" points=\"").append(pts).append("\"/>");
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>", left + 10, legendY, s.color(), esc(s.name())));
            legendY += 15;
        }
        return b.append("</svg>").toString();
    }

    static String bars(List<String[]> bars) {
        double max = 1e-9;
        for (String[] bar : bars) {
            max = Math.max(max, Double.parseDouble(bar[1]));
        }
        StringBuilder b = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"" + (bars.size() * 30 + 10) + "\">");
        int y = 5;
        for (String[] bar : bars) {
            double len = 600 * Math.max(0, Double.parseDouble(bar[1])) / max;
            b.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>", y + 15, esc(bar[0])));
            b.append(String.format(Locale.ROOT, "<rect x=\"230\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#1f77b4\"/>", y, len));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>", 235 + len, y + 15, bar[1]));
            y += 30;
        }
        return b.append("</svg>").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
