package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.engine.api.Engine;
import dev.synctalk.engine.api.RunResult;
import dev.synctalk.engine.run.RunState;
import dev.synctalk.gpu.optim.ParamGroup;
import dev.synctalk.gpu.tensor.Tensor;
import dev.synctalk.nerf.TorsoCheckpoint;
import dev.synctalk.nerf.TorsoModel;
import dev.synctalk.training.FixtureDataset;
import dev.synctalk.training.TorsoModelSpec;
import dev.synctalk.training.ModelPreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A torso run that diverges (a learning rate of 1e30 makes the parameters huge after one step and the loss
 * NaN soon after) stops with an error naming the step, and the newest checkpoint is the last good state: the
 * step before, every number in it finite.
 */
class TorsoDivergenceGraphTest {
    private static final Pattern STEP = Pattern.compile("diverged at step (\\d+) \\(phase torso\\)");

    @Test
    void divergingTorsoRunStopsNamingTheStepAndKeepsTheLastGoodCheckpointNewest(@TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("fixture");
        FixtureDataset.write(dataset, new FixtureDataset.Settings(24, 24, 12, 3, true));
        Map<String, String> o = new HashMap<>();
        o.put("dataset", dataset.toString());
        o.put("preset", "tiny");
        o.put("iters", "30");
        o.put("pixels-per-step", "128");
        o.put("lr", "1e30");
        o.put("grid-lr", "1e30");
        o.put("checkpoint-every", "1");
        o.put("torso.threads", "1");
        o.put("torso.preview-every", "0");
        RunResult r;
        try (Engine engine = Engine.builder().runsDir(dir.resolve("runs")).build()) {
            r = engine.start(SampleMedia.graph("train-torso.conf"), o).await(Duration.ofMinutes(2));
        }
        assertEquals(RunState.FAILED, r.state());
        String error = String.valueOf(r.error());
        Matcher m = STEP.matcher(error);
        assertTrue(m.find(), error);
        long failed = Long.parseLong(m.group(1));
        assertTrue(failed >= 1, "the first step has finite parameters to start from: " + error);
        assertFalse(Files.exists(r.outputs().resolve("torso.ckpt")), "no final model from a diverged run");

        Path checkpoints = r.runDir().resolve("checkpoints/torso");
        List<Long> steps;
        try (Stream<Path> files = Files.list(checkpoints)) {
            steps = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+\\.ckpt"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - 5))).sorted().toList();
        }
        long newest = steps.get(steps.size() - 1);
        assertEquals(failed - 1, newest, "the newest checkpoint is the one after the last good step");
        assertTrue(error.contains(newest + ".ckpt"), "the error names the last good checkpoint: " + error);
        TorsoModel model = new TorsoModelSpec(ModelPreset.TINY, DatasetReader.read(dataset).train().size(), 128, 30, 1, 1e30,
                1e30, 1e-4).newModel();
        TorsoCheckpoint.restoreModel(model, checkpoints.resolve(newest + ".ckpt"));
        for (ParamGroup group : model.paramGroups()) {
            for (Tensor t : group.params()) {
                for (float v : t.data()) {
                    assertTrue(Float.isFinite(v), "group " + group.name() + " of the last good checkpoint holds " + v);
                }
            }
        }
    }
}
