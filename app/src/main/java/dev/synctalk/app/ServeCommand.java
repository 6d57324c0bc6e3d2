package dev.synctalk.app;

import dev.synctalk.service.http.ServiceConfig;
import dev.synctalk.service.http.StreamService;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve trained talking heads live: a page at http://HOST:PORT/, WebSocket sessions (16 kHz PCM in,"
                + " JPEG frames + their audio out), WAV uploads streamed back as MP4. Every session is journaled under"
                + " the runs folder; `synctalk replay SESSION` re-renders one to an MP4.",
                "Example: synctalk serve --model me=runs/train/outputs/head.ckpt,dataset=runs/pre/outputs"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME=CKPT,dataset=DIR[,portrait=true][,torso=CKPT][,device=gpu:0]",
            description = "A trained head to offer (repeatable): its head.ckpt, the dataset it was trained on, portrait or torso, and where head-render runs (cpu, or gpu:N).")
    List<String> models = new ArrayList<>();

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}); any other than loopback needs --token.")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port; 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--token", description = "Token clients must send (Authorization: Bearer, or ?token=). Default: $SYNCTALK_TOKEN, else none.")
    String token;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Where sessions are journaled (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--max-sessions", defaultValue = "4", description = "Sessions at once (default: ${DEFAULT-VALUE}).")
    int maxSessions;

    @Option(names = "--max-audio-seconds", defaultValue = "600", description = "Speech one session may send (default: ${DEFAULT-VALUE}).")
    int maxAudioSeconds;

    @Option(names = "--client-queue-frames", defaultValue = "50",
            description = "Frames waiting for one client; a live session drops the oldest beyond it (default: ${DEFAULT-VALUE}).")
    int clientQueueFrames;

    @Option(names = "--render-threads", defaultValue = "0", description = "CPU threads per session's head-render; 0 = all (default: ${DEFAULT-VALUE}).")
    int renderThreads;

    @Option(names = "--graph", description = "Run this stream graph instead of the packaged graph-definitions/stream.conf.")
    Path graph;

    @Option(names = "-P", paramLabel = "KEY=VALUE", description = "Override a value of the stream graph for every session (e.g. -Pjpeg-quality=0.7).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        List<ServedModel> served = new ArrayList<>();
        for (String spec : models) {
            served.add(ServedModel.parse(spec));
        }
        ServiceLimits d = ServiceLimits.defaults();
        ServiceLimits limits = new ServiceLimits(maxSessions, maxAudioSeconds, d.maxMessageBytes(), clientQueueFrames,
                d.clientStallSeconds(), d.socketSendBufferBytes());
        Map<String, String> graphOverrides = new LinkedHashMap<>(overrides);
        if (renderThreads > 0) {
            graphOverrides.put("render.threads", Integer.toString(renderThreads));
        }
        String t = token != null ? token : System.getenv("SYNCTALK_TOKEN");
        StreamService service = StreamService.start(new ServiceConfig(host, port, runsDir, t, limits, served, graph,
                graphOverrides));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "synctalk-serve-stop"));
        System.out.println("serving " + served.size() + " model(s) at " + service.uri() + (t != null ? "#token=..." : "")
                + "  (open it in a browser; Ctrl-C stops)");
        System.out.flush();
        service.awaitTermination();
        return ExitCodes.OK;
    }
}
