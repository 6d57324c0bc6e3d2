package dev.synctalk.app;

import dev.synctalk.engine.api.ProgressEvent;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Two progress bars for `synctalk demo`: the whole demo and the phase running now, each with its ETA.
 * A phase's fraction is the mean over its stages that know their total (frames, steps); the demo's is
 * the finished phases' shares plus the running phase's share times its fraction, so the whole-demo ETA
 * rests on the plan's expected shares until the last phase. With ANSI both lines are redrawn in place;
 * without it a line is printed when a phase starts and at most every 5 s, for logs.
 */
final class DemoProgress {
    private static final int BAR_WIDTH = 24;
    private static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;

    private record StageFraction(long completed, long total, String unit) {
        double fraction() {
            return Math.min(1.0, (double) completed / total);
        }
    }

    private final PrintStream out;
    private final boolean ansi;
    private final boolean enabled;
    private final List<String> phases;
    private final List<Double> shares;
    private final LongSupplier nanoClock;
    private final long demoStart;
    private final Map<String, StageFraction> stages = new LinkedHashMap<>();
    private int phase = -1;
    private long phaseStart;
    private boolean drawn;
    private long lastPlain;

    DemoProgress(PrintStream out, boolean ansi, boolean enabled, List<String> phases, List<Double> shares,
                 LongSupplier nanoClock) {
        if (phases.size() != shares.size()) {
            throw new IllegalArgumentException(phases.size() + " phases but " + shares.size() + " shares");
        }
        this.out = out;
        this.ansi = ansi;
        this.enabled = enabled;
        this.phases = List.copyOf(phases);
        double sum = shares.stream().mapToDouble(Double::doubleValue).sum();
        this.shares = shares.stream().map(s -> s / sum).toList();
        this.nanoClock = nanoClock;
        this.demoStart = nanoClock.getAsLong();
    }

    synchronized void startPhase(int index) {
        phase = index;
        phaseStart = nanoClock.getAsLong();
        stages.clear();
        drawn = false;
        if (enabled && ansi) {
            draw();
        } else if (enabled) {
            plain();
        }
    }

    /** An engine progress event of the running phase (called on an engine thread). */
    synchronized void update(ProgressEvent event) {
        if (event instanceof ProgressEvent.StageProgress p && p.total() > 0) {
            stages.put(p.stage(), new StageFraction(p.completed(), p.total(), p.unit()));
        }
        if (!enabled) {
            return;
        }
        if (ansi) {
            draw();
        } else if (nanoClock.getAsLong() - lastPlain >= PLAIN_INTERVAL_NANOS) {
            plain();
        }
    }

    /** The running phase ended successfully: its bar is drawn full and left on screen. */
    synchronized void finishPhase() {
        stages.replaceAll((name, s) -> new StageFraction(s.total(), s.total(), s.unit()));
        if (enabled && ansi) {
            draw();
            out.println();
            drawn = false;
        } else if (enabled) {
            plain();
        }
    }

    synchronized double phaseFraction() {
        return stages.isEmpty() ? 0 : stages.values().stream().mapToDouble(StageFraction::fraction).average().orElse(0);
    }

    synchronized double demoFraction() {
        double done = 0;
        for (int i = 0; i < phase; i++) {
            done += shares.get(i);
        }
        return phase < 0 ? 0 : Math.min(1.0, done + shares.get(phase) * phaseFraction());
    }

    synchronized List<String> lines() {
        long now = nanoClock.getAsLong();
        double demo = demoFraction();
        double current = phaseFraction();
        String demoLine = String.format(Locale.ROOT, "demo  %s %3.0f%%  %s elapsed  ETA %s", bar(demo), demo * 100,
                clock(now - demoStart), eta(now - demoStart, demo));
        String phaseLine = String.format(Locale.ROOT, "  %d/%d %-10s %s %3.0f%%  %s  ETA %s%s", phase + 1, phases.size(),
                phase < 0 ? "" : phases.get(phase), bar(current), current * 100, clock(now - phaseStart),
                eta(now - phaseStart, current), detail());
        return List.of(demoLine, phaseLine);
    }

    /** The slowest stage's count, the one the phase waits for. */
    private String detail() {
        return stages.values().stream().min(java.util.Comparator.comparingDouble(StageFraction::fraction))
                .map(s -> String.format(Locale.ROOT, "  %d/%d %s", s.completed(), s.total(), s.unit())).orElse("");
    }

    private void draw() {
        StringBuilder sb = new StringBuilder();
        if (drawn) {
            sb.append("\033[2A\r");
        }
        for (String line : lines()) {
            sb.append("\033[2K").append(line).append('\n');
        }
        out.print(sb);
        out.flush();
        drawn = true;
    }

    private void plain() {
        lastPlain = nanoClock.getAsLong();
        List<String> lines = lines();
        out.println(lines.get(0) + " |" + lines.get(1));
        out.flush();
    }

    private static String bar(double fraction) {
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }

    private static String eta(long elapsedNanos, double fraction) {
        if (fraction >= 1.0) {
            return "0:00";
        }
        if (fraction < 0.01) {
            return "-:--";
        }
        return clock((long) (elapsedNanos * (1 - fraction) / fraction));
    }

    static String clock(long nanos) {
        long seconds = Math.max(0, Math.round(nanos / 1e9));
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
