package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.monitoring.StageMetrics;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine's {@link StageContext}: progress goes to the stage's metrics, logs to {@code stage.<name>}. */
public record RunStageContext(String stageName, String runId, Path runDir, Path outputDir,
                              Optional<Integer> gpuDevice, StageMetrics metrics, java.util.OptionalLong restoreFrom,
                              dev.synctalk.monitoring.MetricsRegistry registry, java.util.Map<String, Object> attachments)
        implements StageContext {

    public RunStageContext {
        attachments = java.util.Map.copyOf(attachments);
    }

    @Override
    public <T> T attachment(String key, Class<T> type) {
        Object value = attachments.get(key);
        if (value == null) {
            return StageContext.super.attachment(key, type);
        }
        if (!type.isInstance(value)) {
            throw new IllegalStateException("stage '" + stageName + "': live object '" + key + "' is a "
                    + value.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(value);
    }

    @Override
    public void curve(String series, long step, double value) {
        registry.curves().record(stageName + "." + series, step, value);
    }

    @Override
    public void preview(String name, byte[] png) {
        registry.previews().put(stageName + "." + name, png);
    }

    @Override
    public Logger log() {
        return LoggerFactory.getLogger("stage." + stageName);
    }

    @Override
    public Progress progress() {
        return new Progress() {
            @Override
            public void total(long units, String unitName) {
                metrics.total(units, unitName);
            }

            @Override
            public void advance(long units) {
                metrics.advance(units);
            }
        };
    }

    /** Parses {@code cpu} / {@code gpu:N} (already validated). */
    public static Optional<Integer> gpuOf(String device) {
        if (device == null || !device.startsWith("gpu:")) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(device.substring(4)));
    }
}
