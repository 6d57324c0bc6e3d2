package dev.synctalk.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synctalk.service.audio.BadAudioException;
import dev.synctalk.service.audio.PcmAudio;
import dev.synctalk.service.session.ClientQueue;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceException;
import dev.synctalk.service.session.Session;
import dev.synctalk.service.session.SessionManager;
import dev.synctalk.service.stream.AudioInbox;
import dev.synctalk.service.stream.SessionAudioStage;
import dev.synctalk.service.stream.StreamPacket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP API (every /api path needs the token when one is set):
 * <ul>
 *   <li>{@code GET /} the page; {@code GET /api/health}; {@code GET /api/models};</li>
 *   <li>{@code GET /api/stream?model=NAME[&pace=realtime|asap][&mp4=true]} (WebSocket): a live session. The
 *       client sends 16 kHz mono s16le PCM as binary messages and {"type":"end"} when done; it receives
 *       {"type":"session",...}, then one binary message per frame ({@link PacketWire}), then
 *       {"type":"end",...} or {"type":"error","message":...};</li>
 *   <li>{@code POST /api/render?model=NAME} with a WAV body: the talking head as a fragmented MP4, streamed
 *       while it renders;</li>
 *   <li>{@code GET /api/sessions}, {@code GET|DELETE /api/sessions/ID}, {@code GET /api/sessions/ID/video.mp4}
 *       (a live session's MP4 for players, when it was opened with mp4=true).</li>
 * </ul>
 * Nothing here takes a path from a client: sessions are named by the service and live in its runs folder.
 */
final class ServiceRoutes extends AllDirectives {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STRICT_TIMEOUT_MILLIS = 30_000;

    private final SessionManager sessions;
    private final byte[] token;
    private final Materializer materializer;

    ServiceRoutes(SessionManager sessions, String token, ActorSystem system) {
        this.sessions = sessions;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.materializer = Materializer.createMaterializer(system);
    }

    Route routes() {
        return handleExceptions(org.apache.pekko.http.javadsl.server.ExceptionHandler.newBuilder()
                .match(org.apache.pekko.http.scaladsl.model.EntityStreamSizeException.class, e -> json(413, error(
                        "the request is larger than the service takes (" + sessions.limits().maxUploadBytes()
                                + " bytes: a WAV of " + sessions.limits().maxAudioSeconds() + " s)")))
                .build(), this::unguardedRoutes);
    }

    private Route unguardedRoutes() {
        return concat(
                pathSingleSlash(() -> get(() -> getFromResource("web/index.html", ContentTypes.TEXT_HTML_UTF8))),
                path("app.js", () -> get(() -> getFromResource("web/app.js",
                        ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)))),
                pathPrefix("api", () -> authorized(() -> concat(
                        path("health", () -> get(() -> json(200, Map.of("status", "ok", "sessions",
                                sessions.sessions().size(), "maxSessions", sessions.limits().maxSessions())))),
                        path("models", () -> get(() -> json(200, models()))),
                        path("stream", () -> parameterMap(params -> extractWebSocketUpgrade(upgrade ->
                                guarded(() -> {
                                    Session s = sessions.open(new SessionManager.Request(params.getOrDefault("model", ""),
                                            pace(params.get("pace")), Boolean.parseBoolean(params.get("mp4")), true));
                                    return complete(upgrade.handleMessagesWith(incoming(s), outgoing(s)));
                                })))),
                        path("render", () -> post(() -> parameterMap(params ->
                                withSizeLimit(sessions.limits().maxUploadBytes(), () ->
                                        extractRequestEntity(entity -> onSuccess(
                                                entity.toStrict(STRICT_TIMEOUT_MILLIS, materializer),
                                                strict -> guarded(() -> upload(params.getOrDefault("model", ""),
                                                        strict.getData().toArray())))))))),
                        pathPrefix("sessions", () -> concat(
                                pathEnd(() -> get(() -> json(200, sessions.sessions().stream().map(Session::stats).toList()))),
                                path(PathMatchers.segment(), id -> concat(
                                        get(() -> withSession(id, s -> json(200, s.stats()))),
                                        delete(() -> withSession(id, s -> {
                                            s.fail("ended by DELETE /api/sessions/" + id);
                                            return json(200, s.stats());
                                        })))),
                                path(PathMatchers.segment().slash("video.mp4"), id -> get(() ->
                                        withSession(id, this::liveMp4)))))))));
    }

    private Route authorized(java.util.function.Supplier<Route> inner) {
        if (token == null) {
            return inner.get();
        }
        return optionalHeaderValueByName("Authorization", header -> parameterOptional("token", query -> {
            String given = header.filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7)).or(() -> query).orElse("");
            if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
                return json(401, error("this service needs its token: send 'Authorization: Bearer TOKEN' or ?token=TOKEN"));
            }
            return inner.get();
        }));
    }

    private Route guarded(java.util.function.Supplier<Route> inner) {
        try {
            return inner.get();
        } catch (ServiceException e) {
            return json(e.status(), error(e.getMessage()));
        } catch (BadAudioException e) {
            return json(400, error(e.getMessage()));
        } catch (AudioInbox.AudioLimitException e) {
            return json(413, error(e.getMessage()));
        }
    }

    private Route withSession(String id, java.util.function.Function<Session, Route> inner) {
        return sessions.find(id).map(inner)
                .orElseGet(() -> json(404, error("no active session '" + id + "'")));
    }

    private List<Map<String, Object>> models() {
        return sessions.models().stream().map(m -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", m.name());
            o.put("width", m.width());
            o.put("height", m.height());
            o.put("portrait", m.portrait());
            o.put("torso", m.torso() != null);
            o.put("device", m.device());
            return o;
        }).toList();
    }

    private static SessionAudioStage.Pace pace(String value) {
        if (value == null || value.isEmpty()) {
            return SessionAudioStage.Pace.REALTIME;
        }
        try {
            return SessionAudioStage.Pace.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ServiceException(400, "pace '" + value + "' is neither realtime nor asap");
        }
    }

    // ---- WebSocket sessions

    /** What the client sends: speech, a declaration of its format, the end of its speech. */
    private Sink<Message, NotUsed> incoming(Session session) {
        int maxBytes = sessions.limits().maxMessageBytes();
        return Flow.<Message>create()
                .mapAsync(1, m -> m.isText() ? text(m.asTextMessage(), maxBytes).thenApply(t -> (Object) t)
                        : bytes(m.asBinaryMessage(), maxBytes).thenApply(b -> (Object) b))
                .to(Sink.<Object>foreach(item -> receive(session, item))
                        .mapMaterializedValue(done -> {
                            done.whenComplete((ok, err) -> {
                                if (err != null) {
                                    session.fail(causedByLimit(err)
                                            ? "a WebSocket message is larger than " + maxBytes + " bytes"
                                            : "receiving from the client failed: " + err.getMessage());
                                } else {
                                    session.endAudio(); // the client closed its side: no more speech
                                }
                            });
                            return NotUsed.getInstance();
                        }));
    }

    private static boolean causedByLimit(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.apache.pekko.stream.StreamLimitReachedException) {
                return true;
            }
        }
        return false;
    }

    private CompletionStage<String> text(TextMessage m, int maxBytes) {
        if (m.isStrict()) {
            return CompletableFuture.completedFuture(m.getStrictText());
        }
        return m.getStreamedText().limitWeighted(maxBytes, s -> (long) s.length())
                .runFold("", String::concat, materializer);
    }

    private CompletionStage<ByteString> bytes(BinaryMessage m, int maxBytes) {
        if (m.isStrict()) {
            ByteString data = m.getStrictData();
            if (data.size() > maxBytes) {
                return CompletableFuture.failedFuture(new org.apache.pekko.stream.StreamLimitReachedException(maxBytes));
            }
            return CompletableFuture.completedFuture(data);
        }
        return m.getStreamedData().limitWeighted(maxBytes, b -> (long) b.size())
                .runFold(ByteString.emptyByteString(), ByteString::concat, materializer);
    }

    private void receive(Session session, Object item) {
        if (session.error() != null || session.audio().ended()) {
            return;
        }
        try {
            if (item instanceof ByteString data) {
                byte[] bytes = data.toArray();
                session.audio().offer(PcmAudio.fromS16le(bytes, 0, bytes.length));
                return;
            }
            JsonNode msg = JSON.readTree((String) item);
            String type = msg.path("type").asText("");
            switch (type) {
                case "end" -> session.endAudio();
                case "start" -> checkDeclaredFormat(msg);
                default -> throw new BadAudioException("unknown message type '" + type + "' (expected start or end)");
            }
        } catch (BadAudioException | AudioInbox.AudioLimitException e) {
            LOG.info("session {}: {}", session.id(), e.getMessage());
            session.fail(e.getMessage());
        } catch (JsonProcessingException e) {
            session.fail("a text message is not JSON: " + e.getOriginalMessage());
        }
    }

    private static void checkDeclaredFormat(JsonNode msg) {
        int rate = msg.path("sampleRate").asInt(SessionManager.SAMPLE_RATE_HZ);
        String format = msg.path("format").asText("s16le");
        int channels = msg.path("channels").asInt(1);
        if (rate != SessionManager.SAMPLE_RATE_HZ) {
            throw new BadAudioException("wrong sample rate: the client declared " + rate + " Hz, the service takes "
                    + PcmAudio.EXPECTED);
        }
        if (!format.equals("s16le")) {
            throw new BadAudioException("not PCM s16le: the client declared '" + format + "'; send " + PcmAudio.EXPECTED);
        }
        if (channels != 1) {
            throw new BadAudioException("not mono: the client declared " + channels + " channels; send " + PcmAudio.EXPECTED);
        }
    }

    /** What the client receives: the session, its frames as the client drains them, then how it ended. */
    private Source<Message, NotUsed> outgoing(Session session) {
        ClientQueue<StreamPacket> queue = session.packets();
        ServedModel m = session.model();
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("type", "session");
        hello.put("id", session.id());
        hello.put("model", m.name());
        hello.put("width", m.width());
        hello.put("height", m.height());
        hello.put("fps", SessionManager.FPS);
        hello.put("sampleRate", SessionManager.SAMPLE_RATE_HZ);
        hello.put("pace", session.pace().name().toLowerCase(Locale.ROOT));
        hello.put("clientQueueFrames", queue.capacity());
        hello.put("slowClientPolicy", queue.policy().name().toLowerCase(Locale.ROOT));
        Source<Message, NotUsed> frames = Source.unfoldAsync(queue, q -> q.take().thenApply(next -> next.map(p ->
                Pair.create(q, (Message) BinaryMessage.create(ByteString.fromArrayUnsafe(PacketWire.encode(p)))))));
        // concatLazy: the closing message is made only once the frames are through (concat would prefetch it)
        return Source.<Message>single(TextMessage.create(write(hello)))
                .concatLazy(frames)
                .concatLazy(Source.lazyCompletionStage(() -> runEnded(session)
                        .thenApply(ignored -> (Message) TextMessage.create(write(farewell(session))))))
                .watchTermination((nu, done) -> {
                    done.whenComplete((ok, err) -> {
                        if (!session.finished()) {
                            // the client went away (or its connection broke): the session renders what it has and ends
                            queue.cancel();
                            session.endAudio();
                        }
                    });
                    return NotUsed.getInstance();
                });
    }

    private static Map<String, Object> farewell(Session session) {
        Map<String, Object> end = new LinkedHashMap<>();
        Session.Stats stats = session.stats();
        if (session.error() != null) {
            end.put("type", "error");
            end.put("message", session.error());
        } else {
            end.put("type", "end");
        }
        end.put("frames", stats.frames());
        end.put("speechFrames", stats.speechFrames());
        end.put("dropped", stats.client() == null ? 0 : stats.client().dropped());
        end.put("state", stats.state());
        return end;
    }

    /** The queue closes as the sink finishes, a moment before the run records its end: wait for that, briefly. */
    private static CompletionStage<Void> runEnded(Session session) {
        return session.ended().toCompletableFuture()
                .completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS)
                .handle((r, err) -> null);
    }

    // ---- MP4

    private Route upload(String model, byte[] wav) {
        float[] speech = PcmAudio.fromWav(wav, SessionManager.SAMPLE_RATE_HZ);
        long max = (long) sessions.limits().maxAudioSeconds() * SessionManager.SAMPLE_RATE_HZ;
        if (speech.length > max) {
            throw new ServiceException(413, "the upload holds " + speech.length / SessionManager.SAMPLE_RATE_HZ
                    + " s of audio, more than the limit of " + sessions.limits().maxAudioSeconds() + " s");
        }
        Session s = sessions.open(new SessionManager.Request(model, SessionAudioStage.Pace.ASAP, true, false));
        ClientQueue<byte[]> viewer;
        try {
            viewer = s.mp4().join(true, sessions.limits().clientStallSeconds() * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.fail("interrupted");
            throw new ServiceException(503, "interrupted");
        }
        s.audio().offer(speech);
        s.endAudio();
        return respondWith(mp4Stream(s, viewer, true), s);
    }

    private Route liveMp4(Session s) {
        if (s.mp4() == null) {
            return json(409, error("session " + s.id() + " was opened without mp4=true: it has no MP4 stream"));
        }
        try {
            return respondWith(mp4Stream(s, s.mp4().join(false, 0), false), s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json(503, error("interrupted"));
        }
    }

    private Route respondWith(Source<ByteString, NotUsed> body, Session s) {
        return complete(HttpResponse.create().withStatus(StatusCodes.OK)
                .addHeader(RawHeader.create("X-Session-Id", s.id()))
                .addHeader(RawHeader.create("Cache-Control", "no-store"))
                .withEntity(HttpEntities.createChunked(ContentTypes.create(MediaTypes.VIDEO_MP4), body)));
    }

    private static Source<ByteString, NotUsed> mp4Stream(Session s, ClientQueue<byte[]> viewer, boolean primary) {
        return Source.unfoldAsync(viewer, q -> q.take().thenApply((Optional<byte[]> next) ->
                        next.map(b -> Pair.create(q, ByteString.fromArrayUnsafe(b)))))
                .watchTermination((nu, done) -> {
                    done.whenComplete((ok, err) -> {
                        if (!s.finished()) {
                            s.mp4().leave(viewer);
                            if (primary) {
                                s.fail("the uploading client went away");
                            }
                        }
                    });
                    return NotUsed.getInstance();
                });
    }

    // ---- JSON

    private Route json(int status, Object body) {
        return complete(HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(body))));
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
