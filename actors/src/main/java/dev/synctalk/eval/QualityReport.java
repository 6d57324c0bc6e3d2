package dev.synctalk.eval;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A quality report: what was evaluated ({@code meta}: mode, dataset, model, frames) and its figures, as
 * report.json (read back by {@code synctalk eval compare}) and report.md (one table). JSON has no
 * infinity: an infinite value (the PSNR of an exact render) is written as the string "Infinity".
 */
public record QualityReport(String mode, Map<String, String> meta, List<MetricColumn> metrics) {
    public static final String JSON_FILE = "report.json";
    public static final String MARKDOWN_FILE = "report.md";
    static final String FORMAT = "synctalk-quality-report";
    static final int VERSION = 1;
    /** The meta keys quality-eval writes, in its order. */
    static final List<String> META_ORDER = List.of("dataset", "split", "frames", "size", "model", "drivingAudio", "run",
            "video");

    public QualityReport {
        meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        metrics = List.copyOf(metrics);
    }

    public MetricColumn metric(String key) {
        return metrics.stream().filter(m -> m.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("report has no metric '" + key + "'"));
    }

    public String toJson() {
        StringBuilder s = new StringBuilder(4096);
        s.append("{\n  \"format\": \"").append(FORMAT).append("\",\n  \"version\": ").append(VERSION)
                .append(",\n  \"mode\": ").append(quote(mode)).append(",\n  \"meta\": {");
        int i = 0;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            s.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
        }
        s.append("\n  },\n  \"metrics\": [");
        for (int k = 0; k < metrics.size(); k++) {
            MetricColumn m = metrics.get(k);
            s.append(k == 0 ? "\n" : ",\n").append("    {\"key\": ").append(quote(m.key())).append(", \"label\": ")
                    .append(quote(m.label())).append(", \"unit\": ").append(quote(m.unit())).append(", \"better\": ")
                    .append(quote(m.better())).append(", \"value\": ");
            if (!m.present()) {
                s.append("null, \"absent\": ").append(quote(m.absent()));
            } else if (Double.isInfinite(m.value())) {
                s.append(quote(m.value() > 0 ? "Infinity" : "-Infinity"));
            } else {
                s.append(String.format(Locale.ROOT, "%.8g", m.value()));
            }
            s.append(", \"note\": ").append(quote(m.note())).append('}');
        }
        s.append("\n  ]\n}\n");
        return s.toString();
    }

    /** One table: metric, value, unit, and the note or the reason it is absent. */
    public String toMarkdown() {
        StringBuilder s = new StringBuilder(2048);
        s.append("# Quality report (").append(mode).append(")\n\n");
        for (Map.Entry<String, String> e : meta.entrySet()) {
            s.append("- ").append(e.getKey()).append(": `").append(e.getValue()).append("`\n");
        }
        s.append("\n| metric | value | unit | better | note |\n|---|---|---|---|---|\n");
        for (MetricColumn m : metrics) {
            s.append("| ").append(m.label()).append(" | ").append(m.formatted()).append(" | ").append(m.unit())
                    .append(" | ").append(m.better()).append(" | ")
                    .append((m.present() ? m.note() : "absent: " + m.absent()).replace("|", "\\|")).append(" |\n");
        }
        return s.toString();
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(JSON_FILE), toJson().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(MARKDOWN_FILE), toMarkdown().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a report.json this class wrote; errors name the file and what is wrong with it. */
    public static QualityReport read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no quality report (eval.conf writes outputs/eval/"
                    + JSON_FILE + ")");
        }
        try {
            Config c = ConfigFactory.parseString(Files.readString(file, StandardCharsets.UTF_8),
                    com.typesafe.config.ConfigParseOptions.defaults()
                            .setSyntax(com.typesafe.config.ConfigSyntax.JSON).setOriginDescription(file.toString()));
            if (!FORMAT.equals(c.getString("format"))) {
                throw new IOException(file + " is not a quality report (format " + c.getString("format") + ")");
            }
            // the parser does not keep the object's key order: known keys first, in the order they are written
            Map<String, String> meta = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(c.getObject("meta").keySet());
            keys.sort(java.util.Comparator.comparingInt((String k) -> META_ORDER.contains(k) ? META_ORDER.indexOf(k)
                    : META_ORDER.size()).thenComparing(k -> k));
            for (String k : keys) {
                meta.put(k, String.valueOf(c.getObject("meta").get(k).unwrapped()));
            }
            List<MetricColumn> metrics = new ArrayList<>();
            for (Config e : c.getConfigList("metrics")) {
                String absent = e.hasPath("absent") ? e.getString("absent") : null;
                double value = Double.NaN;
                if (absent == null) {
                    value = e.getValue("value").valueType() == ConfigValueType.STRING
                            ? Double.parseDouble(e.getString("value")) : e.getDouble("value");
                }
                metrics.add(new MetricColumn(e.getString("key"), e.getString("label"), e.getString("unit"),
                        e.getString("better"), value, absent, e.getString("note")));
            }
            return new QualityReport(c.getString("mode"), meta, metrics);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IOException("cannot read the quality report " + file + ": " + e.getMessage(), e);
        }
    }

    static String quote(String text) {
        return ConfigUtil.quoteString(text);
    }
}
