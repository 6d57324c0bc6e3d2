package dev.synctalk.expression;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.output.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expression coefficients per frame, as SyncTalk's blendshape capture makes them: MediaPipe's face
 * blendshapes network on the frame's 478 landmarks, 52 scores, {@code _neutral} dropped and a 0
 * appended, every column smoothed over time with a Savitzky-Golay filter (window 5, order 3, scipy's
 * 'interp' edges), saved as bs.npy [N, 52] float64 (numpy.save of SyncTalk's float64 array).
 *
 * <p>With the network, coefficients stream out with a delay of half a window (2 frames): frame t is
 * emitted once frame t + 2 has arrived, the first 2 frames with frame 4, the last 2 at finish; the
 * values equal those of smoothing the whole track at once, which is what bs.npy holds. Without the
 * network file the stage falls back to {@link LandmarkGeometryExpression} (with a warning), whose
 * per-video normalisation needs the whole track, so everything is emitted at finish. A track shorter
 * than the window is left unsmoothed (scipy would refuse it), with a warning.
 */
public final class ExpressionStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"../shared/data/models/face_landmarker.task\"",
                    doc = "MediaPipe face_landmarker.task (or face_blendshapes.tflite); landmark geometry is used when absent")
            Path model,
            @Param(defaultValue = "\"bs.npy\"", doc = "blendshape array [N, 52] written at finish, relative to the run's outputs", output = true)
            Path file,
            @Param(defaultValue = "\"expression_core.png\"",
                    doc = "plot of the 7 core coefficients over time for a person to check, relative to the run's outputs", output = true)
            Path plot,
            @Param(defaultValue = "5", doc = "Savitzky-Golay window in frames (odd)", min = 1, max = 101) int smoothingWindow,
            @Param(defaultValue = "3", doc = "Savitzky-Golay polynomial order", min = 0, max = 10) int smoothingOrder,
            @Param(defaultValue = "false", doc = "fail instead of falling back to landmark geometry when the model is absent")
            boolean requireNetwork) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("expression", "blendshape coefficients per frame (MediaPipe network, Savitzky-Golay smoothed) and bs.npy [N, 52]",
                    Config.class,
                    List.of(PortSpec.of("landmarks", FaceLandmarks.class, "478 face-mesh landmarks per frame, in pixels")),
                    List.of(PortSpec.of("coefficients", ExpressionCoeffs.class, "smoothed bs.npy row (52) and the 7 core coefficients per frame")));
        }

        @Override
        public List<String> warnings(Config config) {
            return Files.isRegularFile(config.model()) || config.requireNetwork() ? List.of()
                    : List.of("blendshape network " + config.model().toAbsolutePath() + " not found; the 7 core"
                            + " coefficients will be estimated from landmark geometry");
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new ExpressionStage(config, context);
        }
    }

    private final StageContext context;
    private final Path target;
    private final Path plot;
    private final BlendshapeNetwork network;
    private final SavitzkyGolay filter;
    /** Unsmoothed bs.npy rows (network mode) in frame order from {@link #firstFrame}. */
    private final List<float[]> rawRows = new ArrayList<>();
    /** Per-frame geometry (fallback mode). */
    private final List<LandmarkGeometryExpression.Measures> measures = new ArrayList<>();
    private long firstFrame = -1;
    private int emitted;

    private ExpressionStage(Config config, StageContext context) throws IOException {
        this.context = context;
        this.target = context.output(config.file());
        this.plot = context.output(config.plot());
        this.filter = new SavitzkyGolay(config.smoothingWindow(), config.smoothingOrder());
        if (Files.isRegularFile(config.model())) {
            this.network = BlendshapeNetwork.load(config.model());
            context.log().info("{}: blendshape network {}", name(), config.model());
        } else if (config.requireNetwork()) {
            throw new IllegalArgumentException(name() + ": blendshape network not found: " + config.model().toAbsolutePath());
        } else {
            this.network = null;
            context.log().warn("{}: blendshape network {} not found; estimating the 7 core coefficients from landmark "
                    + "geometry (eye openness, brow height), the other columns of {} stay 0",
                    name(), config.model().toAbsolutePath(), target.getFileName());
        }
    }

    /** True when coefficients come from the network, false for the landmark-geometry fallback. */
    public boolean usesNetwork() {
        return network != null;
    }

    @Override
    public void process(Inputs in, Emitter out) {
        FaceLandmarks landmarks = in.get("landmarks", FaceLandmarks.class);
        long frame = landmarks.frameIndex();
        if (firstFrame < 0) {
            firstFrame = frame;
        }
        long expected = firstFrame + count();
        if (frame != expected) {
            throw new IllegalArgumentException(name() + ": landmarks of frame " + frame + " arrived, expected frame "
                    + expected + "; smoothing needs every frame in order");
        }
        if (network != null) {
            rawRows.add(ExpressionCoeffs.rowOfScores(network.scores(landmarks)));
            emitReady(out, count() - filter.delay());
        } else {
            measures.add(LandmarkGeometryExpression.measure(landmarks));
        }
        context.progress().advance(1);
    }

    private int count() {
        return network != null ? rawRows.size() : measures.size();
    }

    /** Emits smoothed frames below {@code until} that do not depend on frames not yet seen. */
    private void emitReady(Emitter out, int until) {
        if (rawRows.size() < filter.window()) {
            return;
        }
        for (; emitted < until; emitted++) {
            // The track length only matters for the last half window, which is emitted at finish.
            out.emit("coefficients", ExpressionCoeffs.ofRow(firstFrame + emitted, smoothedRow(emitted, Integer.MAX_VALUE)));
        }
    }

    /** Frame t of the smoothed track of {@code length} frames (clamped to the rows seen). */
    private float[] smoothedRow(int t, int length) {
        int n = Math.min(length, rawRows.size());
        float[] row = new float[52];
        for (int c = 0; c < 52; c++) {
            int column = c;
            // Rounded to float32: scipy smooths SyncTalk's float32 score array in double and returns float32.
            row[c] = (float) filter.smoothedAt(i -> rawRows.get(i)[column], t, n);
        }
        return row;
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (count() == 0) {
            throw new IllegalStateException(name() + ": no landmarks arrived, nothing to write to " + target);
        }
        if (firstFrame != 0) {
            throw new IllegalStateException(name() + ": landmarks start at frame " + firstFrame + "; " + target
                    + " needs every frame from 0");
        }
        if (network == null) {
            for (float[] scores : LandmarkGeometryExpression.scores(measures)) {
                rawRows.add(ExpressionCoeffs.rowOfScores(scores));
            }
        }
        List<float[]> rows = new ArrayList<>(rawRows.size());
        boolean smooth = rawRows.size() >= filter.window();
        if (!smooth) {
            context.log().warn("{}: only {} frames, fewer than the smoothing window {}; coefficients are not smoothed",
                    name(), rawRows.size(), filter.window());
        }
        for (int t = 0; t < rawRows.size(); t++) {
            rows.add(smooth ? smoothedRow(t, rawRows.size()) : rawRows.get(t).clone());
        }
        for (; emitted < rows.size(); emitted++) {
            out.emit("coefficients", ExpressionCoeffs.ofRow(firstFrame + emitted, rows.get(emitted)));
        }
        writeFloat64Npy(target, rows);
        List<float[]> core = rows.stream().map(r -> ExpressionCoeffs.ofRow(0, r).core7()).toList();
        AtomicFiles.write(plot, CoefficientPlot.png(core, "expression '" + context.stageName() + "' ("
                + (network != null ? "blendshape network" : "landmark geometry fallback") + ")"));
        context.log().info("{}: wrote {} frames x 52 blendshape coefficients ({}) to {}", name(), rows.size(),
                network != null ? "network" : "landmark geometry", target);
    }

    /** numpy.save of a C-order float64 array [rows, 52] (format 1.0, header padded to 64 bytes). */
    static void writeFloat64Npy(Path file, List<float[]> rows) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows.size() + ", 52), }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        AtomicFiles.write(file, raw -> {
            OutputStream o = new BufferedOutputStream(raw, 1 << 16);
            o.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                (byte) (header.length() & 0xff), (byte) (header.length() >>> 8)});
            o.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer row = ByteBuffer.allocate(52 * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] r : rows) {
                row.clear();
                for (float v : r) {
                    row.putDouble(v);
                }
                o.write(row.array());
            }
            o.flush();
        });
    }

    private String name() {
        return "expression '" + context.stageName() + "'";
    }
}
