package dev.synctalk.training;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.torso.CudaTorsoTrainer;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.nerf.TorsoModelConfig;
import dev.synctalk.nerf.TorsoTrainer;
import dev.synctalk.nerf.TorsoTrainerConfig;
import dev.synctalk.nerf.TorsoTrainingData;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * Everything needed to rebuild a torso trainer with the same parameter layout: what {@code torso.json}
 * next to {@code torso.ckpt} holds, so that inference can restore the checkpoint.
 *
 * @param preset              model sizes ({@link TorsoModelConfig#syncTalk} or {@link TorsoModelConfig#tiny})
 * @param frameCount          training frames (torso codes)
 * @param pixelsPerStep       pixels per training step
 * @param iterations          planned steps (lr decay)
 * @param seed                seed of the initial parameters and of the trainer's random numbers
 * @param gridLearningRate    AdamW lr of the colour grid
 * @param networkLearningRate AdamW lr of the networks, anchors and codes
 * @param alphaEntropyWeight  weight of the torso alpha entropy
 */
public record TorsoModelSpec(ModelPreset preset, int frameCount, int pixelsPerStep, long iterations, long seed,
                             double gridLearningRate, double networkLearningRate, double alphaEntropyWeight) {
    public static final String FILE_NAME = "torso.json";

    public TorsoModelSpec {
        if (frameCount < 1 || pixelsPerStep < 1 || iterations < 1 || alphaEntropyWeight < 0) {
            throw new IllegalArgumentException("invalid torso model spec: " + frameCount + " frames, " + pixelsPerStep
                    + " pixels, " + iterations + " iterations, alpha entropy " + alphaEntropyWeight);
        }
    }

    public TorsoModelConfig modelConfig() {
        TorsoModelConfig base = preset == ModelPreset.TINY ? TorsoModelConfig.tiny(frameCount)
                : TorsoModelConfig.syncTalk(frameCount);
        return base.withLearningRates(gridLearningRate, networkLearningRate);
    }

    /** Fresh parameters of this spec's sizes, drawn from its seed. */
    public TorsoModel newModel() {
        return new TorsoModel(modelConfig(), seed);
    }

    /** The trainer settings (its sampler is seeded with seed + 1, the model with seed). */
    public TorsoTrainerConfig trainerConfig() {
        return new TorsoTrainerConfig(pixelsPerStep, iterations, 1f, (float) alphaEntropyWeight, seed + 1);
    }

    /** A fresh CPU trainer with this spec's sizes and initial parameters on {@code data}. */
    public TorsoTrainer newTrainer(Backend backend, TorsoTrainingData data) {
        return new TorsoTrainer(backend, trainerConfig(), newModel(), data);
    }

    /** A fresh device-resident trainer; {@code data} is uploaded now ({@code onFrameUploaded} counts frames). */
    public CudaTorsoTrainer newCudaTrainer(CudaDevice device, TorsoTrainingData data, IntConsumer onFrameUploaded) {
        return new CudaTorsoTrainer(device, trainerConfig(), newModel(), data, onFrameUploaded);
    }

    public String toJson() {
        TorsoModelConfig c = modelConfig();
        return "{\n"
                + "  \"format\": \"synctalk-torso-model\",\n"
                + "  \"version\": 1,\n"
                + "  \"preset\": \"" + preset.name() + "\",\n"
                + "  \"frame_count\": " + frameCount + ",\n"
                + "  \"pixels_per_step\": " + pixelsPerStep + ",\n"
                + "  \"iterations\": " + iterations + ",\n"
                + "  \"seed\": " + seed + ",\n"
                + "  \"grid_lr\": " + gridLearningRate + ",\n"
                + "  \"network_lr\": " + networkLearningRate + ",\n"
                + "  \"alpha_entropy_weight\": " + alphaEntropyWeight + ",\n"
                + "  \"sizes\": {\"grid_levels\": " + c.gridLevels() + ", \"grid_base_resolution\": "
                + c.gridBaseResolution() + ", \"grid_log2_hashmap_size\": " + c.gridLog2HashmapSize()
                + ", \"individual_code_dim\": " + c.individualCodeDim() + ", \"deform_hidden\": " + c.deformHidden()
                + ", \"color_hidden\": " + c.colorHidden() + ", \"shrink\": " + c.shrink() + "}\n"
                + "}\n";
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a {@code torso.json}; fails naming the file and the key that is missing or wrong. */
    public static TorsoModelSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("torso model description " + file + " is missing (it is written next to torso.ckpt)");
        }
        try {
            Config c = ConfigFactory.parseFile(file.toFile());
            return new TorsoModelSpec(ModelPreset.valueOf(c.getString("preset")), c.getInt("frame_count"),
                    c.getInt("pixels_per_step"), c.getLong("iterations"), c.getLong("seed"), c.getDouble("grid_lr"),
                    c.getDouble("network_lr"), c.getDouble("alpha_entropy_weight"));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new IOException("torso model description " + file + " is malformed: " + e.getMessage(), e);
        }
    }
}
