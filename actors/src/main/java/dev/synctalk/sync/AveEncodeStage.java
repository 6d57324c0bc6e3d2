package dev.synctalk.sync;

import dev.synctalk.audio.MelWindow;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.features.FeatureTensor;
import dev.synctalk.nerf.audio.AudioVisualEncoder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The audio-visual encoder as a stage: each 80 x 16 log-mel window becomes the frame's AVE features
 * ({@link AveFeature}), on cuDNN when placed on a GPU, on the CPU otherwise. With feature-writer it writes
 * a dataset's aud_ave.npy (graph-definitions/ave-features.conf). The encoder is any checkpoint
 * {@link AudioVisualEncoder#load} reads: ave-train's ave.stnt or the reference's converted weights.
 */
public final class AveEncodeStage implements Stage {

    public record Config(
            @Param(doc = "audio-visual encoder checkpoint (ave.stnt from train-ave.conf)") Path encoder,
            @Param(defaultValue = "0", doc = "CPU threads; 0 = all processors", min = 0, max = 1024) int threads) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("ave-encode", "log-mel windows -> audio-visual encoder features per frame (cuDNN on a GPU)",
                    Config.class, List.of(PortSpec.of("windows", MelWindow.class, "one 80x16 log-mel window per frame")),
                    List.of(PortSpec.of("features", AveFeature.class, "the frame's AVE features")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new AveEncodeStage(config, context);
        }
    }

    /** One frame's audio-visual encoder features. */
    public record AveFeature(long frameIndex, float[] data) implements FeatureTensor {
        @Override
        public int[] shape() {
            return new int[] {data.length};
        }
    }

    private final FaceSyncCompute compute;
    private final AudioVisualEncoder encoder;

    private AveEncodeStage(Config config, StageContext context) throws IOException {
        this.encoder = HeadAve.loadEncoder(config.encoder(), "ave-encode '" + context.stageName() + "'");
        this.compute = FaceSyncCompute.open(context, config.threads());
    }

    @Override
    public void process(Inputs in, Emitter out) {
        MelWindow window = (MelWindow) in.only();
        if (window.melBands() != AudioVisualEncoder.MEL_BANDS || window.windowFrames() != AudioVisualEncoder.WINDOW_FRAMES) {
            throw new IllegalArgumentException("ave-encode: mel window " + window.frameIndex() + " is "
                    + window.melBands() + "x" + window.windowFrames() + ", the encoder takes 80x16");
        }
        out.emit("features", new AveFeature(window.frameIndex(), compute.encode(encoder, window.data(), 1)));
    }

    @Override
    public void close() {
        compute.close();
    }
}
