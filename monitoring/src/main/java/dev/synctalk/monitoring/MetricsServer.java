package dev.synctalk.monitoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The run's metrics over HTTP on 127.0.0.1 only: {@code GET /metrics} (Prometheus text),
 * {@code GET /metrics.json}, {@code GET /} (a dashboard page polling the JSON) and
 * {@code GET /preview/<name>.png}. Anything else is 404; methods other than GET and HEAD are 405.
 * Requests and answers have time limits, so clients that stall cannot block the endpoint.
 */
public final class MetricsServer implements AutoCloseable {

    private static final String DASHBOARD_RESOURCE = "dashboard.html";
    private static final String PREVIEW_PREFIX = "/preview/";
    private static final String PREVIEW_SUFFIX = ".png";
    /** Host names a browser uses for a loopback server; anything else is a DNS-rebinding attempt. */
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]");

    /**
     * Handler threads: each reads its request to the end, so a client that never finishes one holds a thread
     * until the request timeout; eight keep the endpoint answering while a few such clients wait.
     */
    static final int HANDLER_THREADS = 8;
    /** Seconds a client has to send its request, and the server to send its answer, before it is cut off. */
    static final long REQUEST_TIMEOUT_SECONDS = 5;
    static final long RESPONSE_TIMEOUT_SECONDS = 30;

    static {
        // The JDK server reads these once, when its first instance is made; a user's own -D settings win.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_TIMEOUT_SECONDS));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Long.toString(RESPONSE_TIMEOUT_SECONDS));
    }

    private final MetricsRegistry registry;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final byte[] dashboardHtml;

    private MetricsServer(MetricsRegistry registry, HttpServer server, ExecutorService handlers, byte[] dashboardHtml) {
        this.registry = registry;
        this.server = server;
        this.handlers = handlers;
        this.dashboardHtml = dashboardHtml;
    }

    /** Binds 127.0.0.1:{@code port} (0 picks a free port) and starts serving. */
    public static MetricsServer start(MetricsRegistry registry, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics server port must be 0-65535, was " + port);
        }
        byte[] dashboard = loadDashboard();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(loopbackV4(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the metrics server to 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        AtomicInteger threadNumber = new AtomicInteger();
        // Daemon threads: a forgotten close() must not keep the JVM alive after the run.
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, r -> {
            Thread t = new Thread(r, "synctalk-metrics-http-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        MetricsServer metricsServer = new MetricsServer(registry, server, handlers, dashboard);
        server.createContext("/", metricsServer::handle);
        server.start();
        return metricsServer;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>/}, the dashboard. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port() + "/");
    }

    /** Stops listening at once; the port is free when this returns. */
    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "text/plain; charset=utf-8", text("method " + method + " not allowed\n"), false);
                return;
            }
            if (!fromLoopbackHost(exchange)) {
                respond(exchange, 403, "text/plain; charset=utf-8", text("Host header must name a loopback address\n"), head);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> respond(exchange, 200, PrometheusFormat.CONTENT_TYPE,
                        text(PrometheusFormat.render(registry.snapshot())), head);
                case "/metrics.json" -> respond(exchange, 200, JsonFormat.CONTENT_TYPE,
                        text(JsonFormat.render(registry.snapshot())), head);
                case "/", "/index.html" -> {
                    exchange.getResponseHeaders().set("Content-Security-Policy",
                            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'");
                    respond(exchange, 200, "text/html; charset=utf-8", dashboardHtml, head);
                }
                default -> {
                    Optional<byte[]> png = preview(path);
                    if (png.isPresent()) {
                        respond(exchange, 200, "image/png", png.get(), head);
                    } else {
                        respond(exchange, 404, "text/plain; charset=utf-8", text("not found: " + path + "\n"), head);
                    }
                }
            }
        } catch (RuntimeException e) {
            // Without this the JDK server drops the connection silently; say what broke instead.
            respond(exchange, 500, "text/plain; charset=utf-8", text("metrics server error: " + e + "\n"), false);
        } finally {
            exchange.close();
        }
    }

    private Optional<byte[]> preview(String path) {
        if (!path.startsWith(PREVIEW_PREFIX) || !path.endsWith(PREVIEW_SUFFIX)
                || path.length() <= PREVIEW_PREFIX.length() + PREVIEW_SUFFIX.length()) {
            return Optional.empty();
        }
        String name = path.substring(PREVIEW_PREFIX.length(), path.length() - PREVIEW_SUFFIX.length());
        return registry.previews().get(name);
    }

    private static boolean fromLoopbackHost(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return true; // HTTP/1.0 clients on this machine
        }
        String name = host.toLowerCase(Locale.ROOT);
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf(']')) {
            name = name.substring(0, colon);
        }
        return LOOPBACK_HOSTS.contains(name);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (head) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static InetAddress loopbackV4() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a literal 4-byte address was rejected", e);
        }
    }

    private static byte[] loadDashboard() {
        try (InputStream in = MetricsServer.class.getResourceAsStream(DASHBOARD_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("dashboard page missing from the classpath: "
                        + MetricsServer.class.getPackageName().replace('.', '/') + "/" + DASHBOARD_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard page " + DASHBOARD_RESOURCE, e);
        }
    }
}
