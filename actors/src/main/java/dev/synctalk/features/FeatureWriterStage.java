package dev.synctalk.features;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.output.AtomicFiles;
import java.io.BufferedOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Stacks per-frame feature tensors into one NumPy array {@code [N, ...shape]} (float32, rows in frame
 * order), the way SyncTalk's preprocessing saves aud_ave.npy or bs.npy, written atomically at finish.
 */
public final class FeatureWriterStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"features.npy\"", doc = ".npy file, relative to the run's outputs", output = true) Path file) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("feature-writer", "stacks per-frame feature tensors into a NumPy .npy file [N, ...shape]",
                    Config.class,
                    List.of(PortSpec.of("in", FeatureTensor.class, "one tensor per frame, all of the same shape")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new FeatureWriterStage(config, context);
        }
    }

    private final StageContext context;
    private final Path target;
    private final TreeMap<Long, float[]> rows = new TreeMap<>();
    private int[] rowShape;

    private FeatureWriterStage(Config config, StageContext context) {
        this.context = context;
        this.target = context.output(config.file());
    }

    @Override
    public void process(Inputs in, Emitter out) {
        FeatureTensor tensor = (FeatureTensor) in.only();
        long index = tensor.frameIndex();
        int[] shape = tensor.shape();
        float[] data = tensor.data();
        if (rowShape == null) {
            rowShape = shape.clone();
        } else if (!Arrays.equals(rowShape, shape)) {
            throw new IllegalArgumentException(name() + ": frame " + index + " has shape " + Arrays.toString(shape)
                    + ", earlier frames have " + Arrays.toString(rowShape));
        }
        float[] earlier = rows.get(index);
        if (earlier != null) {
            // A replayed or resumed upstream may send a frame twice; it must be the same frame.
            if (!Arrays.equals(earlier, data)) {
                throw new IllegalStateException(name() + ": frame " + index + " arrived twice with different values");
            }
            return;
        }
        rows.put(index, data.clone());
    }

    @Override
    public void finish(Emitter out) throws Exception {
        if (rows.isEmpty()) {
            throw new IllegalStateException(name() + ": no frames arrived, nothing to write to " + target);
        }
        long expected = 0;
        for (long index : rows.keySet()) {
            if (index != expected) {
                throw new IllegalStateException(name() + ": frame " + expected + " is missing (next present is " + index
                        + "); " + target + " needs contiguous frames from 0");
            }
            expected++;
        }
        int[] shape = new int[rowShape.length + 1];
        shape[0] = rows.size();
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        AtomicFiles.write(target, raw -> {
            BufferedOutputStream out1 = new BufferedOutputStream(raw, 1 << 16);
            NpyFile.writeHeader(out1, shape);
            for (float[] row : rows.values()) {
                NpyFile.writeFloats(out1, row);
            }
            out1.flush();
        });
        context.log().info("{}: wrote {} frames of shape {} to {}", name(), rows.size(), Arrays.toString(rowShape), target);
    }

    private String name() {
        return "feature-writer '" + context.stageName() + "'";
    }
}
