package dev.synctalk.engine.graph;

import com.typesafe.config.Config;

/**
 * One stage as declared in a graph file.
 *
 * @param device {@code cpu} (default) or {@code gpu:N}
 * @param dispatcher optional Pekko dispatcher config path for CPU stages; null for the default
 * @param params the raw params block (validated and bound to the config record separately)
 * @param parallelism how many actors run the stage (above 1 only for stateless stage types)
 */
public record StageDecl(String name, String type, Config params, String device, String dispatcher, int parallelism,
                        Origin origin) {
    public static final int DEFAULT_PARALLELISM = 1;

    public StageDecl(String name, String type, Config params, String device, String dispatcher, Origin origin) {
        this(name, type, params, device, dispatcher, DEFAULT_PARALLELISM, origin);
    }
}
