package dev.synctalk.service.session;

import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The service's two graphs: {@code stream.conf} (a live session) and {@code session-replay.conf} (a logged
 * session to MP4). From files when given, else the copies of graph-definitions/ packaged in the service jar.
 */
public final class StreamGraphs {
    private final String streamText;
    private final String streamName;
    private final String replayText;
    private final String replayName;

    private StreamGraphs(String streamText, String streamName, String replayText, String replayName) {
        this.streamText = streamText;
        this.streamName = streamName;
        this.replayText = replayText;
        this.replayName = replayName;
    }

    /** The packaged graph-definitions/stream.conf and session-replay.conf. */
    public static StreamGraphs packaged() {
        return new StreamGraphs(resource("stream.conf"), "graph-definitions/stream.conf", resource("session-replay.conf"),
                "graph-definitions/session-replay.conf");
    }

    /** A stream graph from a file (the replay graph stays the packaged one). */
    public static StreamGraphs withStreamGraph(Path streamConf) {
        try {
            return new StreamGraphs(Files.readString(streamConf), streamConf.toString(), resource("session-replay.conf"),
                    "graph-definitions/session-replay.conf");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stream graph " + streamConf, e);
        }
    }

    public GraphDefinition stream(Map<String, String> overrides) {
        return GraphLoader.parse(streamText, streamName, overrides);
    }

    public GraphDefinition replay(Map<String, String> overrides) {
        return GraphLoader.parse(replayText, replayName, overrides);
    }

    private static String resource(String name) {
        try (InputStream in = StreamGraphs.class.getResourceAsStream("/graph-definitions/" + name)) {
            if (in == null) {
                throw new IllegalStateException("graph-definitions/" + name + " is not packaged in the service jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged graph " + name, e);
        }
    }
}
