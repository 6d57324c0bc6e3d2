package dev.synctalk.training;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.gpu.render.RayMarcher;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.nerf.AudioAttNet;
import dev.synctalk.nerf.AudioConditioner;
import dev.synctalk.nerf.AudioFeatureNet;
import dev.synctalk.nerf.AveAudioNet;
import dev.synctalk.nerf.HeadModel;
import dev.synctalk.nerf.HeadModelConfig;
import dev.synctalk.nerf.HeadTrainer;
import dev.synctalk.nerf.HeadTrainerConfig;
import dev.synctalk.nerf.MelAudioNet;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Everything needed to rebuild a head trainer with the same parameter layout: what {@code model.json}
 * next to {@code head.ckpt} holds, so that inference can restore the checkpoint.
 *
 * @param preset           model sizes
 * @param audioFeatures    which audio features drive the model
 * @param frameCount       training frames (individual codes)
 * @param featureShape     shape of one frame's audio features ([80, 16] for mel, [D] for ave)
 * @param window           audio frames per attention window (8: frames i-4 .. i+3)
 * @param raysPerStep      rays per training step
 * @param iterations       planned steps (loss step factor and lr decay)
 * @param seed             seed of the initial parameters and of the trainer's random numbers
 * @param gridLearningRate AdamW lr of the hash grids
 * @param networkLearningRate AdamW lr of the networks
 */
public record HeadModelSpec(ModelPreset preset, AudioFeatureKind audioFeatures, int frameCount, int[] featureShape,
                            int window, int raysPerStep, long iterations, long seed, double gridLearningRate,
                            double networkLearningRate) {
    public static final String FILE_NAME = "model.json";
    public static final int WINDOW = 8;
    /** Occupancy grid of the tiny preset: 32^3 is plenty at 64x64 and keeps grid updates cheap. */
    static final int TINY_GRID = 32;

    public HeadModelSpec {
        featureShape = featureShape.clone();
        if (frameCount < 1 || window < 1 || raysPerStep < 1 || iterations < 1 || featureShape.length == 0) {
            throw new IllegalArgumentException("invalid head model spec: " + frameCount + " frames, window " + window
                    + ", " + raysPerStep + " rays, " + iterations + " iterations, features "
                    + Arrays.toString(featureShape));
        }
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    public HeadModelConfig modelConfig() {
        HeadModelConfig base = preset == ModelPreset.TINY
                // no individual codes at the tiny size: with them the mouth is learnt per frame, not from audio
                ? HeadModelConfig.tiny(frameCount).withIndividualCodeDim(0)
                : HeadModelConfig.syncTalk(frameCount);
        return base.withLearningRates(gridLearningRate, networkLearningRate);
    }

    public int gridResolution() {
        return preset == ModelPreset.TINY ? TINY_GRID : 128;
    }

    /** A fresh trainer with this spec's sizes and initial parameters. */
    public HeadTrainer newTrainer(Backend backend) {
        HeadModelConfig modelConfig = modelConfig();
        int audioDim = modelConfig.audioDim();
        boolean tiny = preset == ModelPreset.TINY;
        AudioFeatureNet featureNet = switch (audioFeatures) {
            case MEL -> {
                if (featureShape.length != 2) {
                    throw new IllegalArgumentException("mel features must be [bands, frames], got "
                            + Arrays.toString(featureShape));
                }
                yield tiny ? new MelAudioNet(featureShape[0], featureShape[1], 16, 16, 32, audioDim, seed + 1)
                        : new MelAudioNet(featureShape[0], featureShape[1], 32, 32, 64, audioDim, seed + 1);
            }
            case AVE -> {
                if (featureShape.length != 1) {
                    throw new IllegalArgumentException("ave features must be [D], got " + Arrays.toString(featureShape));
                }
                yield tiny ? new AveAudioNet(featureShape[0], 32, 16, audioDim, seed + 1)
                        : new AveAudioNet(featureShape[0], 256, 128, audioDim, seed + 1);
            }
        };
        AudioConditioner conditioner = new AudioConditioner(featureNet, new AudioAttNet(audioDim, window, seed + 2));
        int grid = gridResolution();
        RayMarcher marcher = tiny ? new RayMarcher(1f, 0.05f, 1f / 256f, 16, grid) : RayMarcher.syncTalk(grid);
        HeadTrainerConfig trainerConfig = new HeadTrainerConfig(raysPerStep, iterations, 16, grid, marcher, seed + 3);
        return new HeadTrainer(backend, trainerConfig, new HeadModel(modelConfig, seed), conditioner);
    }

    public String toJson() {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < featureShape.length; i++) {
            dims.append(i == 0 ? "" : ", ").append(featureShape[i]);
        }
        HeadModelConfig c = modelConfig();
        return "{\n"
                + "  \"format\": \"synctalk-head-model\",\n"
                + "  \"version\": 1,\n"
                + "  \"preset\": \"" + preset.name() + "\",\n"
                + "  \"audio_features\": \"" + audioFeatures.name() + "\",\n"
                + "  \"frame_count\": " + frameCount + ",\n"
                + "  \"feature_shape\": [" + dims + "],\n"
                + "  \"window\": " + window + ",\n"
                + "  \"rays_per_step\": " + raysPerStep + ",\n"
                + "  \"iterations\": " + iterations + ",\n"
                + "  \"seed\": " + seed + ",\n"
                + "  \"grid_lr\": " + gridLearningRate + ",\n"
                + "  \"network_lr\": " + networkLearningRate + ",\n"
                + "  \"pose_scale\": " + NerfPoses.SCALE + ",\n"
                + "  \"sizes\": {\"grid_levels\": " + c.gridLevels() + ", \"grid_base_resolution\": "
                + c.gridBaseResolution() + ", \"grid_log2_hashmap_size\": " + c.gridLog2HashmapSize()
                + ", \"audio_dim\": " + c.audioDim() + ", \"expression_dim\": " + c.expressionDim()
                + ", \"sigma_hidden\": " + c.sigmaHidden() + ", \"color_hidden\": " + c.colorHidden()
                + ", \"individual_code_dim\": " + c.individualCodeDim() + ", \"occupancy_grid\": " + gridResolution()
                + "}\n"
                + "}\n";
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a {@code model.json}; fails naming the file and the key that is missing or wrong. */
    public static HeadModelSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("model description " + file + " is missing (it is written next to head.ckpt)");
        }
        try {
            Config c = ConfigFactory.parseFile(file.toFile());
            List<Integer> dims = c.getIntList("feature_shape");
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            return new HeadModelSpec(ModelPreset.valueOf(c.getString("preset")),
                    AudioFeatureKind.valueOf(c.getString("audio_features")), c.getInt("frame_count"), shape,
                    c.getInt("window"), c.getInt("rays_per_step"), c.getLong("iterations"), c.getLong("seed"),
                    c.getDouble("grid_lr"), c.getDouble("network_lr"));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IOException("model description " + file + " is malformed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadModelSpec s && preset == s.preset && audioFeatures == s.audioFeatures
                && frameCount == s.frameCount && Arrays.equals(featureShape, s.featureShape) && window == s.window
                && raysPerStep == s.raysPerStep && iterations == s.iterations && seed == s.seed
                && gridLearningRate == s.gridLearningRate && networkLearningRate == s.networkLearningRate;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(featureShape) * 31 + Long.hashCode(seed) * 7 + frameCount;
    }
}
