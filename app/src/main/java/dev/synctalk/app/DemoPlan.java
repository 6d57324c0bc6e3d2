package dev.synctalk.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sizes and steps of `synctalk demo`, as -P overrides of the shipped graph files (only the params that
 * stay put as the graphs evolve: dataset, preset, iters, coarse-iters, rays-per-step, width/height,
 * decode.max-frames, model, audio, and the stages' device).
 *
 * @param sidePx        frames are centre-cropped and resized to sidePx x sidePx (0 keeps the clip's 512 x 512)
 * @param maxFrames     frames of the clip preprocessed and trained on (0: all 200)
 * @param phaseShares   expected share of the demo's time per phase (preprocess, train, infer), for the ETA
 */
record DemoPlan(String description, boolean gpu, int sidePx, int maxFrames, String preset, int iters, int coarseIters,
                int raysPerStep, List<Double> phaseShares) {

    static final List<String> PHASES = List.of("preprocess", "train", "infer");

    /**
     * Full size on gpu:0: the clip's 512 x 512 frames, SyncTalk's preset and 65,536 rays per step as the
     * reference trains; train.conf's default schedule (coarse then fine).
     */
    static DemoPlan fullSizeOnGpu() {
        return new DemoPlan("GPU: the whole clip at 512x512, sync-talk preset, 2000 steps of 65,536 rays on gpu:0",
                true, 0, 0, "sync-talk", 2000, 1500, 65536, List.of(1 / 3.0, 1 / 3.0, 1 / 3.0)); // not measured yet
    }

    /**
     * Small enough for a 2-core CPU in a few minutes: 100 frames at 128 x 128, the tiny preset, 400 steps of
     * 2,048 rays. Phase shares as measured on the 2-core dev machine (docs/benchmarks.md, "demo").
     */
    static DemoPlan smallOnCpu() {
        return new DemoPlan("CPU: 100 frames at 128x128, tiny preset, 400 steps of 2,048 rays",
                false, 128, 100, "tiny", 400, 300, 2048, List.of(0.16, 0.33, 0.51));
    }

    Map<String, String> preprocess(Path video, Path faceLandmarker) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("video", video.toString());
        p.put("model", faceLandmarker.toString());
        if (sidePx > 0) {
            p.put("width", Integer.toString(sidePx));
            p.put("height", Integer.toString(sidePx));
        }
        if (maxFrames > 0) {
            p.put("decode.max-frames", Integer.toString(maxFrames));
        }
        return p;
    }

    Map<String, String> train(Path dataset) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dataset", dataset.toString());
        p.put("preset", preset);
        p.put("iters", Integer.toString(iters));
        p.put("coarse-iters", Integer.toString(coarseIters));
        p.put("rays-per-step", Integer.toString(raysPerStep));
        if (gpu) {
            p.put("graph.stages.head.device", "gpu:0");
        }
        return p;
    }

    Map<String, String> infer(Path dataset, Path model, Path speech) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("dataset", dataset.toString());
        p.put("model", model.toString());
        p.put("audio", speech.toString());
        if (gpu) {
            p.put("graph.stages.render.device", "gpu:0");
        }
        return p;
    }
}
