package dev.synctalk.service.session;

import com.typesafe.config.Config;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.graph.GraphDefinition;
import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.StageDecl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Re-renders a logged session into an MP4 ({@code session-replay.conf}): the head is rendered again from
 * the session's journaled features with the model the session used (read from the session's own
 * graph.conf), and muxed with the audio of its journaled timeline. Works on sessions that ended and on
 * sessions whose server was killed (their journals hold what was written until then).
 */
public final class SessionReplay {
    private SessionReplay() {
    }

    /** Whether run {@code runId} is a live session (a run of the stream graph). */
    public static boolean isSession(Path runsDir, String runId) {
        Path graph = runsDir.resolve(runId).resolve("graph.conf");
        if (!Files.isRegularFile(graph)) {
            return false;
        }
        GraphDefinition g = GraphLoader.load(graph, Map.of());
        return g.stages().values().stream().anyMatch(s -> "session-audio".equals(s.type()));
    }

    /**
     * Starts the replay of session {@code sessionId} into a new run whose outputs hold session.mp4.
     * @param extraOverrides session-replay.conf overrides (e.g. journal-frames=true, render.threads=2)
     */
    public static RunHandle start(Engine engine, String sessionId, Map<String, String> extraOverrides) {
        Path graphFile = engine.runsDir().resolve(sessionId).resolve("graph.conf");
        if (!isSession(engine.runsDir(), sessionId)) {
            throw new IllegalArgumentException("run '" + sessionId + "' in " + engine.runsDir().toAbsolutePath()
                    + " is not a logged session (no " + graphFile + " with a session-audio stage)");
        }
        GraphDefinition session = GraphLoader.load(graphFile, Map.of());
        StageDecl render = session.stages().get("render");
        if (render == null) {
            throw new IllegalArgumentException("session '" + sessionId + "' has no stage 'render' to replay");
        }
        Config p = render.params();
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("model", p.getString("model"));
        overrides.put("dataset", p.getString("dataset"));
        if (p.hasPath("split")) {
            overrides.put("split", p.getString("split"));
        }
        if (p.hasPath("portrait")) {
            overrides.put("portrait", Boolean.toString(p.getBoolean("portrait")));
        }
        if (p.hasPath("torso")) {
            overrides.put("torso", p.getString("torso"));
        }
        overrides.putAll(extraOverrides);
        GraphDefinition replay = StreamGraphs.packaged().replay(overrides);
        return engine.replay(sessionId, "render", replay, null);
    }
}
