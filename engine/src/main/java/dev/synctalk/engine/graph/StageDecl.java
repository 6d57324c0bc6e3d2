package dev.synctalk.engine.graph;

import com.typesafe.config.Config;

/**
 * One stage as declared in a graph file.
 *
 * @param device {@code cpu} (default) or {@code gpu:N}
 * @param dispatcher optional Pekko dispatcher config path for CPU stages; null for the default
 * @param params the raw params block (validated and bound to the config record separately)
 */
public record StageDecl(String name, String type, Config params, String device, String dispatcher, Origin origin) {
}
