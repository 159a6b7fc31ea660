package com.acme.clickstream.loadtest.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import com.acme.clickstream.loadtest.generate.EventPlanner;
import com.acme.clickstream.loadtest.generate.Generator;
import com.acme.clickstream.loadtest.generate.GeneratorConfig;
import com.acme.clickstream.loadtest.generate.Ratios;
import com.acme.clickstream.loadtest.model.SessionRules;
import com.acme.clickstream.loadtest.model.SentRecord;
import com.acme.clickstream.loadtest.replay.KafkaSend;

/**
 * The run command's synthetic load: the load-test generator on a background thread, recording what it
 * sends under {@code DATA_DIR/load/run-N} (so that {@code load-test verify --in} can reconcile it).
 *
 * <p>Event time runs {@code timeScale} times faster than the wall clock (so that sessions close while one
 * watches) and starts in the past. Each run of the same data dir continues after the event time the
 * previous run reached, with fresh event ids (another seed), so that a restart never re-sends old events:
 * they would only be counted as duplicates or too late.
 */
public final class LoadRun {
    /** How far back the first run's event time starts; at time scale 120 that lasts for 6 hours. */
    static final Duration LOOKBACK = Duration.ofDays(30);
    /** Stop before event time meets the wall clock (the generator refuses events in the future). */
    static final Duration HEADROOM = Duration.ofMinutes(10);

    private final Thread thread;
    private final Path outDir;
    private final AtomicBoolean stopRequested;
    private final String liveUser;
    private final Duration firstSessionsIn;
    private volatile String last = "generate: starting";

    private LoadRun(Thread thread, Path outDir, AtomicBoolean stopRequested,
                    String liveUser, Duration firstSessionsIn) {
        this.thread = thread;
        this.outDir = outDir;
        this.stopRequested = stopRequested;
        this.liveUser = liveUser;
        this.firstSessionsIn = firstSessionsIn;
    }

    /** Starts generating, or returns empty (and says why) when this data dir's event time has caught up with the wall clock. */
    public static Optional<LoadRun> start(LocalStack stack, double rate, Optional<Duration> duration, int users,
                                          long seed, double timeScale, PrintStream out) {
        Path loadDir = stack.config().dataDir().resolve("load");
        Properties state = readState(loadDir);
        int run = Integer.parseInt(state.getProperty("runs", "0")) + 1;
        SessionRules rules = SessionRules.fromEnv(stack.config().sessionizerEnv());
        Instant now = Instant.now();
        Instant start = now.minus(LOOKBACK);
        if (state.containsKey("start")) {
            // Where the previous run can have got to at most, then past its dedup window and open sessions.
            Instant prevStart = Instant.parse(state.getProperty("start"));
            Instant prevWall = Instant.parse(state.getProperty("wall-start"));
            double prevScale = Double.parseDouble(state.getProperty("time-scale"));
            long reached = Math.min(now.toEpochMilli(),
                    prevStart.toEpochMilli() + (long) ((now.toEpochMilli() - prevWall.toEpochMilli()) * prevScale));
            Instant resume = Instant.ofEpochMilli(reached).plus(rules.dedupWindow())
                    .plusMillis(rules.closeAfterMs()).plus(Duration.ofMinutes(1));
            start = resume.isAfter(start) ? resume : start;
        }
        Instant latest = now.minus(HEADROOM);
        if (!start.isBefore(latest)) {
            out.println("generate: the event time of " + stack.config().dataDir() + " has caught up with the wall clock:"
                    + " no synthetic load (start with a fresh --data-dir, or feed the topics yourself)");
            return Optional.empty();
        }
        // Forever = until the event time reaches `latest`; a duration may end earlier.
        long untilLatest = (long) ((latest.toEpochMilli() - start.toEpochMilli()) / timeScale * rate / 1000.0);
        long count = duration.map(d -> Math.min(untilLatest, Math.round(rate * d.toMillis() / 1000.0))).orElse(untilLatest);
        Path outDir = loadDir.resolve("run-" + run);
        long runSeed = seed + run - 1;
        Duration lateBy = Duration.ofMillis(Math.max(Duration.ofHours(6).toMillis(), 3 * rules.closeAfterMs()));
        GeneratorConfig config = new GeneratorConfig(stack.bootstrapServers(),
                stack.config().topics(),
                outDir, rate, Math.max(1, count), null, runSeed, start, timeScale, users, 300, 1.1, Ratios.defaults(),
                // 0: the generator asks the broker (an existing topic may have another partition count).
                rules, 0, lateBy, Duration.ofSeconds(90), Duration.ofSeconds(1));

        state.setProperty("runs", String.valueOf(run));
        state.setProperty("start", start.toString());
        state.setProperty("wall-start", now.toString());
        state.setProperty("time-scale", String.valueOf(timeScale));
        writeState(loadDir, state);

        LoadRun[] self = new LoadRun[1];
        AtomicBoolean stopRequested = new AtomicBoolean();
        Thread thread = new Thread(() -> {
            try {
                Files.createDirectories(outDir);
                Generator.run(config, line -> {
                    if (self[0] != null) {
                        self[0].last = line;
                    }
                    if (!line.startsWith("generate: sent=")) {
                        out.println(line);
                    }
                }, stopRequested::get);
            } catch (RuntimeException | IOException e) {
                if (!stopRequested.get()) {
                    out.println("generate: failed: " + e);
                }
            }
        }, "load-generator");
        // A visit's first event starts its session; a one-event visit is final gap + grace of event time later.
        Duration firstSessionsIn = Duration.ofMillis((long) ((rules.inactivityGap().toMillis() + rules.grace().toMillis())
                / timeScale));
        self[0] = new LoadRun(thread, outDir, stopRequested, busiestUser(config, stack.bootstrapServers()), firstSessionsIn);
        thread.setDaemon(true);
        thread.start();
        out.printf("generate: %d events/s, %d users, seed %d, event time from %s at %sx the wall clock, recorded in %s%n",
                Math.round(rate), users, runSeed, start, timeScale, outDir);
        return Optional.of(self[0]);
    }

    /**
     * The user with the most events in the load's first minute (the plan is a pure function of the config,
     * so this is known before anything is sent): with Zipf-skewed visits, one that has sessions open or
     * finished throughout.
     */
    static String busiestUser(GeneratorConfig config, String bootstrapServers) {
        int partitions = KafkaSend.partitionCount(bootstrapServers, config.topics().events());
        EventPlanner planner = new EventPlanner(config, partitions);
        Map<String, Integer> events = new LinkedHashMap<>();
        long firstMinute = Math.max(1, Math.min(config.total(), Math.round(config.rate() * 60)));
        for (long i = 0; i < firstMinute && planner.hasNext(); i++) {
            SentRecord r = planner.next();
            if (EventPlanner.NORMAL.equals(r.kind()) && r.key() != null) {
                events.merge(r.key(), 1, Integer::sum);
            }
        }
        return events.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** A user of the generated data who is active in the first minute. */
    public Optional<String> liveUser() {
        return Optional.ofNullable(liveUser);
    }

    /** Wall-clock time from the start of the load until its first sessions are due to close. */
    public Duration firstSessionsIn() {
        return firstSessionsIn;
    }

    public Path outDir() {
        return outDir;
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /** The generator's last progress line. */
    public String progress() {
        return last;
    }

    /** Asks the generator to stop and waits for it to record what it sent and close its producer. */
    public void stop() {
        stopRequested.set(true);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Properties readState(Path loadDir) {
        Properties p = new Properties();
        Path file = loadDir.resolve("state.properties");
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private static void writeState(Path loadDir, Properties state) {
        try {
            Files.createDirectories(loadDir);
            try (var out = Files.newOutputStream(loadDir.resolve("state.properties"))) {
                state.store(out, "event time reached by the run command's load generator on this data dir");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
