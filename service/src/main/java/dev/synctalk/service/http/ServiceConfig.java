package dev.synctalk.service.http;

import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a service starts.
 *
 * @param host           bind address; 127.0.0.1 by default. Anything not a loopback address needs a token.
 * @param port           0 = any free port
 * @param token          clients must send it (Authorization: Bearer, or ?token=); null = none (loopback only)
 * @param streamGraph    stream.conf to run instead of the packaged one; null = packaged
 * @param graphOverrides overrides of stream.conf for every session (e.g. render.threads=2)
 */
public record ServiceConfig(String host, int port, Path runsDir, String token, ServiceLimits limits,
                            List<ServedModel> models, Path streamGraph, Map<String, String> graphOverrides) {
    public ServiceConfig {
        models = List.copyOf(models);
        graphOverrides = Map.copyOf(graphOverrides);
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (token == null && !isLoopback(host)) {
            throw new IllegalArgumentException("binding to " + host + " exposes the service beyond this machine: give"
                    + " a token (--token or SYNCTALK_TOKEN) that clients must send, or bind to 127.0.0.1");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the bind address '" + host + "'", e);
        }
    }
}
