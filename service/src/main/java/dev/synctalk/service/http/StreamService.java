package dev.synctalk.service.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.service.session.SessionManager;
import dev.synctalk.service.session.StreamGraphs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming service: one {@link Engine} (the embedding API) running a stream graph per session,
 * and a Pekko HTTP server in front of it ({@link ServiceRoutes}).
 */
public final class StreamService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);

    private final Engine engine;
    private final SessionManager sessions;
    private final ActorSystem system;
    private final ServerBinding binding;
    private final URI uri;

    private StreamService(Engine engine, SessionManager sessions, ActorSystem system, ServerBinding binding) {
        this.engine = engine;
        this.sessions = sessions;
        this.system = system;
        this.binding = binding;
        InetSocketAddress a = binding.localAddress();
        String host = a.getAddress().getHostAddress();
        this.uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    public static StreamService start(ServiceConfig config) throws Exception {
        int maxSessions = config.limits().maxSessions();
        // Each session runs five stages; its source and (for uploads) its sink may wait on their client, so the
        // stage pool grows with the session limit instead of letting sessions starve each other.
        Config engineConfig = ConfigFactory.parseString("synctalk.stage-dispatcher.thread-pool-executor.fixed-pool-size = "
                + Math.max(16, 6 * maxSessions + 4));
        Engine engine = Engine.builder().runsDir(config.runsDir()).metricsPort(-1).config(engineConfig).build();
        ActorSystem system = null;
        try {
            StreamGraphs graphs = config.streamGraph() == null ? StreamGraphs.packaged()
                    : StreamGraphs.withStreamGraph(config.streamGraph());
            SessionManager sessions = new SessionManager(engine, graphs, config.models(), config.limits(),
                    config.graphOverrides());
            Config httpConfig = ConfigFactory.parseString(
                    "pekko.http.server.parsing.max-content-length = " + config.limits().maxUploadBytes() + "\n"
                            + "pekko.http.server.idle-timeout = 120 s\n"
                            + "pekko.http.server.socket-options.so-send-buffer-size = "
                            + config.limits().socketSendBufferBytes() + "\n"
                            + "pekko.http.server.websocket.periodic-keep-alive-max-idle = 10 s\n"
                            + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")
                    .withFallback(ConfigFactory.load());
            system = ActorSystem.create("synctalk-service", httpConfig);
            ServiceRoutes routes = new ServiceRoutes(sessions, config.token(), system);
            ServerBinding binding = Http.get(system).newServerAt(config.host(), config.port()).bind(routes.routes())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            StreamService service = new StreamService(engine, sessions, system, binding);
            LOG.info("serving {} model(s) at {} (runs in {}){}", config.models().size(), service.uri(),
                    config.runsDir().toAbsolutePath(), config.token() != null ? ", token required" : "");
            return service;
        } catch (Exception | Error e) {
            if (system != null) {
                system.terminate();
            }
            engine.close();
            throw e;
        }
    }

    public URI uri() {
        return uri;
    }

    public SessionManager sessions() {
        return sessions;
    }

    public Engine engine() {
        return engine;
    }

    /** Blocks until the HTTP server's actor system terminates. */
    public void awaitTermination() throws Exception {
        system.getWhenTerminated().toCompletableFuture().get();
    }

    @Override
    public void close() {
        try {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("unbinding {} failed: {}", uri, e.toString());
        }
        sessions.close();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("HTTP actor system termination: {}", e.toString());
        }
        engine.close();
    }
}
