package dev.synctalk.service.bench;

import dev.synctalk.service.http.PacketWire;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures a running service from the client side, the way users see it:
 * <ol>
 *   <li>latency: a live session, once warm (its first idle frame has come), idles for a second, then speech
 *       is streamed at real time in 100 ms messages; the time from sending the first speech message to
 *       receiving the first speech frame;</li>
 *   <li>frames/s of one session: the speech sent at once ({@code pace=asap}), frames per second between the
 *       first and the last frame;</li>
 *   <li>real-time sessions: 1, 2, ... sessions stream speech at real time at once; a session keeps real time
 *       when every speech frame arrives, none is dropped or padded, and the last arrives within
 *       {@link #LAG_BUDGET} of the end of its audio. The largest count whose sessions all keep it.</li>
 * </ol>
 */
public final class StreamBenchmark {
    /** How late a real-time session's last frame may come after its last audio was sent. */
    public static final Duration LAG_BUDGET = Duration.ofMillis(1500);

    public record SessionRun(long speechFrames, long expectedFrames, double latencyMillis, double framesPerSecond,
                             double endLagMillis, long dropped) {
        boolean keptRealTime() {
            return speechFrames == expectedFrames && dropped == 0 && endLagMillis <= LAG_BUDGET.toMillis();
        }
    }

    public record Result(double latencyMillis, double framesPerSecond, int maxRealTimeSessions,
                         List<List<SessionRun>> byConcurrency) {
    }

    private final URI base;
    private final String query;
    private final byte[] speech;
    private final PrintStream out;

    /** @param query WebSocket query selecting the model (and token), e.g. "model=me&token=T" */
    public StreamBenchmark(URI base, String query, byte[] speechS16le, PrintStream out) {
        this.base = base;
        this.query = query;
        this.speech = speechS16le;
        this.out = out;
    }

    public Result run(int maxSessions) throws Exception {
        SessionRun live = liveSession(true);
        out.printf(Locale.ROOT, "latency, first speech sent -> its first frame: %.0f ms%n", live.latencyMillis());
        SessionRun asap = asapSession();
        out.printf(Locale.ROOT, "one session, speech sent at once: %.1f frames/s (%d frames)%n", asap.framesPerSecond(),
                asap.speechFrames());
        List<List<SessionRun>> all = new ArrayList<>();
        int best = 0;
        for (int n = 1; n <= maxSessions; n++) {
            List<SessionRun> runs = concurrent(n);
            all.add(runs);
            boolean ok = runs.stream().allMatch(SessionRun::keptRealTime);
            out.printf(Locale.ROOT, "%d real-time session(s): %s; per session fps %s, end lag ms %s, dropped %s%n", n,
                    ok ? "all keep real time" : "NOT real time",
                    runs.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.framesPerSecond())).toList(),
                    runs.stream().map(r -> String.format(Locale.ROOT, "%.0f", r.endLagMillis())).toList(),
                    runs.stream().map(SessionRun::dropped).toList());
            if (!ok) {
                break;
            }
            best = n;
        }
        out.printf(Locale.ROOT, "max concurrent real-time sessions (25 fps): %d%s%n", best,
                best == maxSessions ? " (the most tried; raise --max-sessions)" : "");
        return new Result(live.latencyMillis(), asap.framesPerSecond(), best, all);
    }

    private List<SessionRun> concurrent(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<SessionRun>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> liveSession(false)));
            }
            List<SessionRun> out = new ArrayList<>();
            for (Future<SessionRun> f : runs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private SessionRun liveSession(boolean idleFirst) throws Exception {
        try (StreamClient c = StreamClient.open(base, query + "&pace=realtime")) {
            if (idleFirst) {
                // a warm session: its model is loaded and idle frames flow, then a second of idle
                for (int i = 0; i < 6000 && c.frames().isEmpty(); i++) {
                    Thread.sleep(10);
                }
                Thread.sleep(1000);
            }
            c.sendSpeech(speech, 3200, true);
            long lastSent = System.nanoTime();
            c.endSpeech();
            var end = c.awaitEnd(Duration.ofMinutes(10));
            return measure(c, lastSent, end.path("dropped").asLong());
        }
    }

    private SessionRun asapSession() throws Exception {
        try (StreamClient c = StreamClient.open(base, query + "&pace=asap")) {
            c.sendSpeech(speech, 32_000, false);
            long lastSent = System.nanoTime();
            c.endSpeech();
            var end = c.awaitEnd(Duration.ofMinutes(10));
            return measure(c, lastSent, end.path("dropped").asLong());
        }
    }

    private SessionRun measure(StreamClient c, long lastSentNanos, long dropped) {
        List<StreamClient.Received> speechFrames = c.frames().stream().filter(r -> r.frame().speech()).toList();
        long expected = (speech.length / 2 + 639) / 640;
        if (speechFrames.isEmpty()) {
            return new SessionRun(0, expected, Double.NaN, 0, Double.NaN, dropped);
        }
        long first = speechFrames.get(0).arrivedNanos();
        long last = speechFrames.get(speechFrames.size() - 1).arrivedNanos();
        double fps = speechFrames.size() > 1 ? (speechFrames.size() - 1) / ((last - first) / 1e9) : 0;
        PacketWire.Frame f = speechFrames.get(0).frame();
        assert f.speech();
        return new SessionRun(speechFrames.size(), expected, (first - c.firstSpeechSentNanos()) / 1e6, fps,
                (last - lastSentNanos) / 1e6, dropped);
    }
}
