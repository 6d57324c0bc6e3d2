package dev.synctalk.engine.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of a run as kept in {@code runs/<id>/run.json}. JSON is written by hand (HOCON reads it
 * back), so the file stays readable and the engine needs no JSON library.
 *
 * @param attempts how many times the run was started (1 + resumes)
 * @param error the failure message, null unless FAILED or CANCELLED
 * @param failedStage the stage named by the failure, null otherwise
 * @param replayOf the run this one replays, null otherwise
 */
public record RunInfo(String runId, String graphName, String graphFile, RunState state, Instant createdAt,
                      Instant updatedAt, int attempts, String error, String failedStage, String replayOf,
                      String replayFrom, Map<String, String> overrides) {

    public RunInfo {
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    }

    public RunInfo withState(RunState s, String err, String stage) {
        return new RunInfo(runId, graphName, graphFile, s, createdAt, Instant.now(), attempts, err, stage, replayOf,
                replayFrom, overrides);
    }

    public RunInfo nextAttempt() {
        return new RunInfo(runId, graphName, graphFile, RunState.RUNNING, createdAt, Instant.now(), attempts + 1, null,
                null, replayOf, replayFrom, overrides);
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        field(sb, "runId", runId);
        field(sb, "graphName", graphName);
        field(sb, "graphFile", graphFile);
        field(sb, "state", state.name());
        field(sb, "createdAt", createdAt.toString());
        field(sb, "updatedAt", updatedAt.toString());
        sb.append("  \"attempts\": ").append(attempts).append(",\n");
        field(sb, "error", error);
        field(sb, "failedStage", failedStage);
        field(sb, "replayOf", replayOf);
        field(sb, "replayFrom", replayFrom);
        sb.append("  \"overrides\": {");
        String sep = "";
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            sb.append(sep).append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            sep = ", ";
        }
        sb.append("}\n}\n");
        return sb.toString();
    }

    public static RunInfo fromJson(Path file) {
        Config c = ConfigFactory.parseFile(file.toFile());
        Map<String, String> overrides = new LinkedHashMap<>();
        if (c.hasPath("overrides")) {
            c.getObject("overrides").unwrapped().forEach((k, v) -> overrides.put(k, String.valueOf(v)));
        }
        return new RunInfo(c.getString("runId"), c.getString("graphName"), opt(c, "graphFile"),
                RunState.valueOf(c.getString("state")), Instant.parse(c.getString("createdAt")),
                Instant.parse(c.getString("updatedAt")), c.getInt("attempts"), opt(c, "error"), opt(c, "failedStage"),
                opt(c, "replayOf"), opt(c, "replayFrom"), overrides);
    }

    private static String opt(Config c, String key) {
        return c.hasPath(key) && !c.getIsNull(key) ? c.getString(key) : null;
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append("  ").append(quote(key)).append(": ").append(value == null ? "null" : quote(value)).append(",\n");
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
