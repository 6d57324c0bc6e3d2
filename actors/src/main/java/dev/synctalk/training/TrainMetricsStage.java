package dev.synctalk.training;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Sink of training: collects every step's report and writes {@code metrics.csv} (one row per step, in
 * step order) when training ends. Fed through a journaled edge, so a resumed run replays the steps
 * journaled before the interruption and the file is complete.
 */
public final class TrainMetricsStage implements Stage {

    public record Config(@Param(defaultValue = "\"metrics.csv\"", doc = "CSV file, relative to the run's outputs", output = true)
                         Path file) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("train-metrics", "training step reports -> metrics.csv",
                    Config.class,
                    List.of(PortSpec.of("steps", TrainStepReport.class, "one report per step")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new TrainMetricsStage(config, context);
        }
    }

    static final String HEADER = "step,phase,loss,mse,psnr_db,samples,lr_factor,lpips\n";

    private final Config config;
    private final StageContext context;
    private final TreeMap<Long, TrainStepReport> steps = new TreeMap<>();

    private TrainMetricsStage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public void process(Inputs in, Emitter out) {
        TrainStepReport r = (TrainStepReport) in.only();
        steps.put(r.frameIndex(), r);
    }

    @Override
    public void finish(Emitter out) throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (TrainStepReport r : steps.values()) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%.9g,%.9g,%.6f,%d,%.9g,%.9g%n", r.frameIndex(),
                    r.phase().name().toLowerCase(Locale.ROOT), r.loss(), r.mse(), r.psnr(), r.samples(),
                    r.learningRateFactor(), r.lpips()));
        }
        Path target = context.output(config.file());
        AtomicFiles.write(target, csv.toString().getBytes(StandardCharsets.UTF_8));
        context.log().info("train-metrics '{}': {} steps written to {}", context.stageName(), steps.size(), target);
    }
}
