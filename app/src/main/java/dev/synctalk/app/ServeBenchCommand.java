package dev.synctalk.app;

import dev.synctalk.encode.SpeechAudio;
import dev.synctalk.service.audio.PcmAudio;
import dev.synctalk.service.bench.StreamBenchmark;
import dev.synctalk.service.http.ServiceConfig;
import dev.synctalk.service.http.StreamService;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceLimits;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve-bench", mixinStandardHelpOptions = true,
        description = {"Benchmark live sessions as a client: latency from the first speech sent to its first frame,"
                + " frames/s of one session, and how many sessions at once keep real time (25 fps).",
                "Against a running service (--url) or one started here (--model, e.g. with device=gpu:0).",
                "Example: synctalk serve-bench --model me=runs/train/outputs/head.ckpt,dataset=runs/pre/outputs,device=gpu:0"
                        + " --audio ../shared/data/test.wav --seconds 20 --max-sessions 16"})
final class ServeBenchCommand implements Callable<Integer> {
    @Option(names = "--url", description = "A running service, e.g. http://127.0.0.1:8080/ (then --model-name picks its model).")
    URI url;

    @Option(names = "--model", paramLabel = "NAME=CKPT,dataset=DIR[,...]", description = "Start a service here with this model (as `serve --model`).")
    String model;

    @Option(names = "--model-name", description = "The model to ask a running service for (default: the one given with --model).")
    String modelName;

    @Option(names = "--audio", required = true, description = "Speech to stream (any FFmpeg-readable file; resampled to 16 kHz mono).")
    Path audio;

    @Option(names = "--seconds", defaultValue = "10", description = "Seconds of speech per session, looped or cut from --audio (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--max-sessions", defaultValue = "8", description = "Most concurrent sessions to try (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--token", description = "Token of the service (default: $SYNCTALK_TOKEN).")
    String token;

    @Option(names = "--render-threads", defaultValue = "0", description = "With --model: CPU threads per session's head-render; 0 = all.")
    int renderThreads;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "With --model: where the sessions are journaled (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Override
    public Integer call() throws Exception {
        if ((url == null) == (model == null)) {
            System.err.println("synctalk: serve-bench needs either --url (a running service) or --model (start one here)");
            return ExitCodes.USAGE;
        }
        if (!Files.isRegularFile(audio)) {
            System.err.println("synctalk: speech file not found: " + audio.toAbsolutePath());
            return ExitCodes.USAGE;
        }
        float[] samples = SpeechAudio.readMono(audio, 16_000);
        float[] looped = new float[(int) Math.round(seconds * 16_000)];
        for (int i = 0; i < looped.length; i += samples.length) {
            System.arraycopy(samples, 0, looped, i, Math.min(samples.length, looped.length - i));
        }
        byte[] speech = PcmAudio.toS16le(looped);
        String t = token != null ? token : System.getenv("SYNCTALK_TOKEN");
        StreamService service = null;
        try {
            URI base = url;
            String name = modelName;
            if (model != null) {
                ServedModel served = ServedModel.parse(model);
                name = name != null ? name : served.name();
                ServiceLimits d = ServiceLimits.defaults();
                service = StreamService.start(new ServiceConfig("127.0.0.1", 0, runsDir, t, new ServiceLimits(
                        maxSessions + 1, Math.max(d.maxAudioSeconds(), (int) Math.ceil(seconds)), d.maxMessageBytes(),
                        d.clientQueueFrames(), d.clientStallSeconds(), d.socketSendBufferBytes()), List.of(served), null,
                        renderThreads > 0 ? Map.of("render.threads", Integer.toString(renderThreads)) : Map.of()));
                base = service.uri();
            }
            if (name == null) {
                System.err.println("synctalk: --model-name is needed with --url");
                return ExitCodes.USAGE;
            }
            System.out.printf(Locale.ROOT, "serve-bench: %s, model %s, %.1f s of speech per session, %d cores%n", base,
                    name, seconds, Runtime.getRuntime().availableProcessors());
            String query = "model=" + name + (t != null ? "&token=" + t : "");
            StreamBenchmark.Result r = new StreamBenchmark(base, query, speech, System.out).run(maxSessions);
            System.out.printf(Locale.ROOT, "{\"latency_first_frame_ms\": %.1f, \"session_fps\": %.2f, \"max_realtime_sessions\": %d}%n",
                    r.latencyMillis(), r.framesPerSecond(), r.maxRealTimeSessions());
            return ExitCodes.OK;
        } finally {
            if (service != null) {
                service.close();
            }
        }
    }
}
