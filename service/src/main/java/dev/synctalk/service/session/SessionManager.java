package dev.synctalk.service.session;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.service.stream.AudioInbox;
import dev.synctalk.service.stream.SessionAudioStage;
import dev.synctalk.service.stream.StreamPacket;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, tracks and ends sessions on one {@link Engine}: each session is a run of the stream graph,
 * started through the embedding API with the session's audio inbox and its clients as live objects.
 * Session ids are made here (never taken from a client), so every session's files stay inside the
 * engine's runs folder.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    public static final int SAMPLE_RATE_HZ = 16_000;
    public static final int FPS = 25;

    /** How a client wants its session. */
    public record Request(String model, SessionAudioStage.Pace pace, boolean mp4, boolean packets) {
    }

    private final Engine engine;
    private final StreamGraphs graphs;
    private final Map<String, ServedModel> models;
    private final ServiceLimits limits;
    private final Map<String, String> extraOverrides;
    private final Map<String, Session> active = new ConcurrentHashMap<>();

    /** @param extraOverrides stream.conf overrides for every session (e.g. render.threads, jpeg-quality) */
    public SessionManager(Engine engine, StreamGraphs graphs, List<ServedModel> models, ServiceLimits limits,
                          Map<String, String> extraOverrides) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("the service needs at least one model (--model NAME=head.ckpt,dataset=DIR)");
        }
        this.engine = engine;
        this.graphs = graphs;
        this.models = new LinkedHashMap<>();
        for (ServedModel m : models) {
            if (this.models.put(m.name(), m) != null) {
                throw new IllegalArgumentException("model name '" + m.name() + "' is given twice");
            }
        }
        this.limits = limits;
        this.extraOverrides = Map.copyOf(extraOverrides);
    }

    public Collection<ServedModel> models() {
        return models.values();
    }

    public ServiceLimits limits() {
        return limits;
    }

    public Engine engine() {
        return engine;
    }

    public Optional<Session> find(String id) {
        return Optional.ofNullable(active.get(id));
    }

    public List<Session> sessions() {
        return new ArrayList<>(active.values());
    }

    /**
     * Opens a session and starts its run.
     * @throws ServiceException 404 for an unknown model, 503 when the service holds its maximum of sessions
     */
    public Session open(Request request) {
        ServedModel model = models.get(request.model());
        if (model == null) {
            throw new ServiceException(404, "unknown model '" + request.model() + "' (models: "
                    + String.join(", ", models.keySet()) + ")");
        }
        String id;
        Session session;
        synchronized (this) {
            if (active.size() >= limits.maxSessions()) {
                throw new ServiceException(503, "the service holds its maximum of " + limits.maxSessions()
                        + " sessions; try again when one ends");
            }
            id = "session-" + STAMP.format(Instant.now()) + "-"
                    + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
            AudioInbox inbox = new AudioInbox(SAMPLE_RATE_HZ, (long) limits.maxAudioSeconds() * SAMPLE_RATE_HZ);
            long stallMillis = limits.clientStallSeconds() * 1000L;
            ClientQueue<StreamPacket> packets = request.packets()
                    ? new ClientQueue<>(limits.clientQueueFrames(), request.pace() == SessionAudioStage.Pace.REALTIME
                            ? ClientQueue.Policy.DROP_OLDEST : ClientQueue.Policy.BLOCK, stallMillis, StreamPacket::sizeBytes)
                    : null;
            LiveMp4 mp4 = request.mp4() ? new LiveMp4(limits.clientQueueFrames()) : null;
            session = new Session(id, model, request.pace(), inbox, packets, mp4);
            active.put(id, session);
        }
        try {
            Map<String, String> overrides = new LinkedHashMap<>(extraOverrides);
            overrides.putAll(model.graphOverrides());
            overrides.put("pace", request.pace().name().toLowerCase());
            overrides.put("mp4", Boolean.toString(request.mp4()));
            GraphDefinition graph = graphs.stream(overrides);
            RunHandle run = engine.start(graph, id, overrides,
                    Map.of("audio", session.audio(), "clients", session));
            session.started(run);
            run.result().whenComplete((r, err) -> {
                active.remove(id);
                if (r != null) {
                    session.ended(r);
                    LOG.info("session {} {} ({} frames)", id, r.state().name().toLowerCase(), session.stats().frames());
                } else {
                    session.fail(String.valueOf(err));
                    session.ended(new dev.synctalk.engine.api.RunResult(id, dev.synctalk.engine.run.RunState.FAILED,
                            String.valueOf(err), null, run.runDir(), java.time.Duration.ZERO));
                }
            });
            LOG.info("session {} opened: model {}, {} pace{}", id, model.name(), request.pace().name().toLowerCase(),
                    request.mp4() ? ", live MP4" : "");
            return session;
        } catch (RuntimeException e) {
            active.remove(id);
            throw e;
        }
    }

    /** Ends every session's audio and waits briefly for their runs, so their journals close cleanly. */
    @Override
    public void close() {
        for (Session s : sessions()) {
            s.endAudio();
        }
        for (Session s : sessions()) {
            RunHandle r = s.run();
            if (r != null) {
                try {
                    r.result().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    r.cancel();
                }
            }
        }
    }

}
