package dev.synctalk.monitoring;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a run on a terminal or in a log: a header line, one line per stage (a bar with
 * done/total, percent, rate and ETA when the stage reported a total, a count otherwise) and the
 * latest training values. With ANSI the frame is redrawn in place every refresh; without it, plain
 * frames are printed only when something changed and at most every {@link #PLAIN_MIN_INTERVAL}, so CI
 * logs stay readable. ASCII only, for the same reason.
 */
public final class ConsoleProgress implements AutoCloseable {

    static final Duration PLAIN_MIN_INTERVAL = Duration.ofSeconds(5);
    private static final int BAR_WIDTH = 30;
    private static final char[] SPINNER = {'|', '/', '-', '\\'};
    private static final int MAX_REASON_CHARS = 100;

    private final MetricsRegistry registry;
    private final PrintStream out;
    private final boolean ansi;
    private final long plainIntervalNanos;
    private final ScheduledExecutorService ticker;
    private int spinnerPhase;
    private int linesOnScreen;
    private long lastPlainPrintNanos;
    private boolean plainPrinted;
    private String lastPlainSignature = "";
    private boolean closed;

    private ConsoleProgress(MetricsRegistry registry, PrintStream out, Duration refresh, boolean ansi) {
        this.registry = registry;
        this.out = out;
        this.ansi = ansi;
        this.plainIntervalNanos = Math.max(refresh.toNanos(), PLAIN_MIN_INTERVAL.toNanos());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "synctalk-progress-" + registry.runId());
            t.setDaemon(true);
            return t;
        });
    }

    public static ConsoleProgress start(MetricsRegistry registry, PrintStream out, Duration refresh, boolean ansi) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(out, "out");
        if (refresh == null || refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("progress refresh interval must be positive, was " + refresh);
        }
        ConsoleProgress progress = new ConsoleProgress(registry, out, refresh, ansi);
        long periodNanos = refresh.toNanos();
        progress.ticker.scheduleAtFixedRate(progress::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        return progress;
    }

    /** A console that is there and a TERM that is not "dumb". */
    public static boolean ansiSupported() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equalsIgnoreCase("dumb");
    }

    /** The current frame as text, lines separated by '\n'. */
    public synchronized String render() {
        return String.join("\n", frame(registry.snapshot(false), true)) + "\n";
    }

    /** Prints the final state once and stops the refresh thread. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            List<String> lines = frame(registry.snapshot(false), false);
            if (ansi) {
                redraw(lines);
            } else {
                printPlain(lines);
            }
        }
    }

    /** One refresh; package-private so tests can drive it without waiting for the timer. */
    synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            Snapshot snapshot = registry.snapshot(false);
            if (ansi) {
                spinnerPhase++;
                redraw(frame(snapshot, true));
                return;
            }
            long now = registry.nanoClock().getAsLong();
            String signature = signature(snapshot);
            boolean due = !plainPrinted || now - lastPlainPrintNanos >= plainIntervalNanos;
            if (due && !signature.equals(lastPlainSignature)) {
                lastPlainPrintNanos = now;
                plainPrinted = true;
                lastPlainSignature = signature;
                printPlain(frame(snapshot, true));
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is silently cancelled; keep the display alive and say why instead.
            out.println("progress display error: " + e);
        }
    }

    private void redraw(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        if (linesOnScreen > 0) {
            sb.append("\033[").append(linesOnScreen).append("A\r");
        }
        for (String line : lines) {
            sb.append("\033[2K").append(line).append('\n');
        }
        sb.append("\033[J"); // clears what is left of a taller previous frame
        out.print(sb);
        out.flush();
        linesOnScreen = lines.size();
    }

    private void printPlain(List<String> lines) {
        lines.forEach(out::println);
        out.flush();
    }

    /** What a plain log line reports, without rates and ETA (they change on every tick). */
    private static String signature(Snapshot s) {
        StringBuilder sb = new StringBuilder(s.runState());
        for (Snapshot.Stage st : s.stages()) {
            sb.append('|').append(st.state()).append(st.completed()).append('/').append(st.total())
                    .append(':').append(st.messagesIn()).append(':').append(st.messagesOut());
        }
        for (Snapshot.Curve c : s.curves()) {
            sb.append('|').append(c.series()).append(c.lastStep());
        }
        return sb.toString();
    }

    private List<String> frame(Snapshot s, boolean live) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "run %s  graph %s  %s  %s", s.runId(), s.graphName(), s.runState(),
                duration(s.elapsedSeconds())));
        int nameWidth = s.stages().stream().mapToInt(st -> st.name().length()).max().orElse(0);
        for (Snapshot.Stage st : s.stages()) {
            lines.add("  " + pad(st.name(), nameWidth) + "  " + stageText(st, live));
        }
        if (!s.curves().isEmpty()) {
            StringBuilder sb = new StringBuilder("  curves");
            for (Snapshot.Curve c : s.curves()) {
                sb.append(String.format(Locale.ROOT, "  %s %.4g @ %d", c.series(), c.lastValue(), c.lastStep()));
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    private String stageText(Snapshot.Stage st, boolean live) {
        StringBuilder sb = new StringBuilder();
        String unit = st.unit();
        if (st.totalKnown()) {
            int filled = (int) Math.round(st.fraction() * BAR_WIDTH);
            String totalText = Long.toString(st.total());
            sb.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(pad(Long.toString(st.completed()), totalText.length(), true)).append('/').append(totalText)
                    .append(' ').append(unit)
                    .append(String.format(Locale.ROOT, "  %5.1f%%", st.fraction() * 100));
        } else if (st.completed() > 0) {
            sb.append(spinner(st, live)).append(' ').append(st.completed()).append(' ').append(unit);
        } else {
            sb.append(spinner(st, live)).append(" in ").append(st.messagesIn()).append(" out ").append(st.messagesOut())
                    .append(" msgs");
            unit = "msgs";
        }
        double rate = st.completed() > 0 || st.totalKnown() ? st.ratePerSecond() : messageRate(st);
        sb.append("  ").append(rate(rate)).append(' ').append(unit).append("/s");
        switch (st.state()) {
            case StageMetrics.FINISHED -> sb.append("  took ").append(duration(st.elapsedSeconds()));
            case StageMetrics.FAILED -> { }
            default -> {
                if (st.totalKnown()) {
                    sb.append("  ETA ").append(duration(st.etaSeconds()));
                }
            }
        }
        sb.append("  ").append(st.state());
        if (st.failureReason() != null) {
            sb.append(": ").append(firstLine(st.failureReason()));
        }
        return sb.toString();
    }

    private char spinner(Snapshot.Stage st, boolean live) {
        if (!st.state().equals(StageMetrics.RUNNING)) {
            return st.state().equals(StageMetrics.FINISHED) ? '*' : ' ';
        }
        return ansi && live ? SPINNER[spinnerPhase % SPINNER.length] : '~';
    }

    private static double messageRate(Snapshot.Stage st) {
        return st.elapsedSeconds() > 0 ? st.messagesIn() / st.elapsedSeconds() : Double.NaN;
    }

    static String rate(double perSecond) {
        if (Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            return "--";
        }
        if (perSecond >= 100) {
            return String.format(Locale.ROOT, "%.0f", perSecond);
        }
        if (perSecond >= 10) {
            return String.format(Locale.ROOT, "%.1f", perSecond);
        }
        return String.format(Locale.ROOT, "%.2f", perSecond);
    }

    /** m:ss below an hour, h:mm:ss above, "--:--" when unknown. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0 || seconds > 1e9) {
            return "--:--";
        }
        long total = Math.round(seconds);
        long h = total / 3600;
        long m = total / 60 % 60;
        long s = total % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > MAX_REASON_CHARS ? line.substring(0, MAX_REASON_CHARS) + "..." : line;
    }

    private static String pad(String s, int width) {
        return pad(s, width, false);
    }

    private static String pad(String s, int width, boolean left) {
        if (s.length() >= width) {
            return s;
        }
        String spaces = " ".repeat(width - s.length());
        return left ? spaces + s : s + spaces;
    }
}
