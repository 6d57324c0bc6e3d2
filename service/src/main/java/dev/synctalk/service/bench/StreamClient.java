package dev.synctalk.service.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synctalk.service.http.PacketWire;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of one session (the JDK's client, no Pekko): sends speech, records every frame with
 * the time it arrived. Reading can be paused ({@link #stopReading()}), which stops taking messages off
 * the socket, as a stalled client would. Used by the tests and by {@link StreamBenchmark}.
 */
public final class StreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A frame as received, with {@link System#nanoTime()} of its arrival. */
    public record Received(PacketWire.Frame frame, long arrivedNanos) {
    }

    private final WebSocket socket;
    private final List<Received> frames = new CopyOnWriteArrayList<>();
    private final List<JsonNode> texts = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> last = new CompletableFuture<>();
    private volatile boolean reading = true;
    private volatile long firstSpeechSentNanos = -1;

    private StreamClient(URI uri) throws Exception {
        Listener listener = new Listener();
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
    }

    /**
     * Opens a session: {@code base} is the service's http:// URI, {@code query} e.g. "model=fixture&pace=asap".
     * Waits for the session message.
     */
    public static StreamClient open(URI base, String query) throws Exception {
        URI ws = URI.create(base.toString().replaceFirst("^http", "ws") + "api/stream?" + query);
        StreamClient c = new StreamClient(ws);
        c.hello.get(60, TimeUnit.SECONDS);
        return c;
    }

    public JsonNode session() {
        return hello.join();
    }

    /** Sends PCM (s16le) in messages of {@code chunkBytes}; with {@code realTime}, at the pace it plays. */
    public void sendSpeech(byte[] pcm, int chunkBytes, boolean realTime) throws Exception {
        long start = System.nanoTime();
        for (int at = 0; at < pcm.length; at += chunkBytes) {
            int n = Math.min(chunkBytes, pcm.length - at);
            if (realTime) {
                long due = start + (long) (at / 2 / 16_000.0 * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (firstSpeechSentNanos < 0) {
                firstSpeechSentNanos = System.nanoTime();
            }
            socket.sendBinary(ByteBuffer.wrap(pcm, at, n), true).get(30, TimeUnit.SECONDS);
        }
    }

    public void sendText(String json) throws Exception {
        socket.sendText(json, true).get(30, TimeUnit.SECONDS);
    }

    /** No more speech: the session renders what it has and ends. */
    public void endSpeech() throws Exception {
        sendText("{\"type\":\"end\"}");
    }

    public long firstSpeechSentNanos() {
        return firstSpeechSentNanos;
    }

    /** Takes no more messages off the socket (the server's sends back up behind it). */
    public void stopReading() {
        reading = false;
    }

    public List<Received> frames() {
        return frames;
    }

    public List<JsonNode> texts() {
        return texts;
    }

    /** The closing message ({"type":"end"} or {"type":"error"}), waiting at most {@code timeout}. */
    public JsonNode awaitEnd(Duration timeout) throws Exception {
        return last.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean ended() {
        return last.isDone();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean lastPart) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.write(bytes, 0, bytes.length);
            if (lastPart) {
                frames.add(new Received(PacketWire.decode(binary.toByteArray()), System.nanoTime()));
                binary.reset();
            }
            more(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean lastPart) {
            text.append(data);
            if (lastPart) {
                try {
                    JsonNode node = JSON.readTree(text.toString());
                    texts.add(node);
                    String type = node.path("type").asText();
                    if (type.equals("session")) {
                        hello.complete(node);
                    } else if (type.equals("end") || type.equals("error")) {
                        hello.complete(node);
                        last.complete(node);
                    }
                } catch (Exception e) {
                    last.completeExceptionally(e);
                }
                text.setLength(0);
            }
            more(webSocket);
            return null;
        }

        private void more(WebSocket webSocket) {
            if (reading) {
                webSocket.request(1);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            last.completeExceptionally(new IllegalStateException("closed (" + statusCode + " " + reason + ") before"
                    + " the session's last message"));
            hello.completeExceptionally(new IllegalStateException("closed (" + statusCode + " " + reason + ")"));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            last.completeExceptionally(error);
            hello.completeExceptionally(error);
        }
    }
}
