package dev.synctalk.training;

import dev.synctalk.dataset.DatasetFrame;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the synthetic head fixture as a dataset (see {@link FixtureDataset}) under the run's outputs
 * (or an absolute folder), then emits its frames like dataset-source, so a graph can go on from it.
 */
public final class FixtureDatasetStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"fixture-dataset\"", doc = "dataset folder to create, relative to the run's outputs", output = true)
            Path dir,
            @Param(defaultValue = "64", doc = "image width", min = 8, max = 4096) int width,
            @Param(defaultValue = "64", doc = "image height", min = 8, max = 4096) int height,
            @Param(defaultValue = "110", doc = "frames (25 fps); the last 1/11 are the validation split", min = 1, max = 100000) int frames,
            @Param(defaultValue = "5", doc = "seed of the pose jitter and audio noise") long seed,
            @Param(defaultValue = "false", doc = "frames show a torso over a ramp background (for train-torso.conf)")
            boolean torso) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("fixture-dataset", "writes the synthetic talking-head fixture as a SyncTalk dataset and emits its frames",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("frames", DatasetFrame.class, "the dataset's frames, train then val")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new FixtureDatasetStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private DatasetSequence sequence;
    private long next;

    private FixtureDatasetStage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public void seek(long fromFrameIndex) {
        next = fromFrameIndex;
    }

    @Override
    public boolean produce(Emitter out) throws Exception {
        if (sequence == null) {
            Path dir = context.output(config.dir());
            SyncTalkDataset dataset = java.nio.file.Files.exists(dir.resolve("dataset.complete"))
                    ? dev.synctalk.dataset.DatasetReader.read(dir)
                    : FixtureDataset.write(dir, new FixtureDataset.Settings(config.width(), config.height(),
                            config.frames(), config.seed(), config.torso()));
            context.log().info("fixture-dataset '{}': dataset at {}", context.stageName(), dir);
            sequence = new DatasetSequence(dataset, DatasetSequence.Selection.ALL, 0);
        }
        if (next >= sequence.length()) {
            return false;
        }
        out.emit("frames", sequence.frame(next));
        next++;
        return next < sequence.length();
    }
}
