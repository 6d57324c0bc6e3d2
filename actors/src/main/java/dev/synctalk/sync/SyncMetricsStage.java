package dev.synctalk.sync;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.output.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Sink of Face-Sync training: every step's {@link SyncStepReport}, written as a CSV when training ends
 * (one row per step, in step order; empty cells where a column does not apply). Fed through a journaled
 * edge, so a resumed run replays the steps journaled before the interruption and the file is complete.
 */
public final class SyncMetricsStage implements Stage {

    public record Config(@Param(defaultValue = "\"sync-metrics.csv\"", doc = "CSV file, relative to the run's outputs", output = true)
                         Path file) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("sync-metrics", "Face-Sync training step reports -> a CSV of losses and accuracies", Config.class,
                    List.of(PortSpec.of("steps", SyncStepReport.class, "one report per step")), List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new SyncMetricsStage(config, context);
        }
    }

    static final String HEADER = "step,network,loss,accuracy,p_sync_in_sync,p_sync_off_sync,reconstruction_l1,sync_loss\n";

    private final Config config;
    private final StageContext context;
    private final TreeMap<Long, SyncStepReport> steps = new TreeMap<>();

    private SyncMetricsStage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public void process(Inputs in, Emitter out) {
        SyncStepReport r = (SyncStepReport) in.only();
        steps.put(r.frameIndex(), r);
    }

    private static String cell(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.9g", v) : "";
    }

    @Override
    public void finish(Emitter out) throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (SyncStepReport r : steps.values()) {
            csv.append(r.frameIndex()).append(',').append(r.kind().name().toLowerCase(Locale.ROOT)).append(',')
                    .append(cell(r.loss())).append(',').append(cell(r.accuracy())).append(',').append(cell(r.pInSync()))
                    .append(',').append(cell(r.pOffSync())).append(',').append(cell(r.reconstruction())).append(',')
                    .append(cell(r.sync())).append('\n');
        }
        Path target = context.output(config.file());
        AtomicFiles.write(target, csv.toString().getBytes(StandardCharsets.UTF_8));
        context.log().info("sync-metrics '{}': {} steps written to {}", context.stageName(), steps.size(), target);
    }
}
