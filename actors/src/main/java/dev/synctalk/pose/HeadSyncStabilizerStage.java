package dev.synctalk.pose;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.face.Landmarks68;
import dev.synctalk.video.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The Head-Sync Stabilizer (SyncTalk section 3.3): focal length search and rough per-frame head pose from
 * landmarks (Eq. 5-6), head points tracked by optical flow, two-stage bundle adjustment (Eq. 7-8). Bundle
 * adjustment is global, so poses come out only at the end: while frames arrive the stage keeps the rigid
 * landmarks of each frame and runs the point tracker online on grey frames downscaled so the face is about
 * {@code tracking-face-size-px} across (memory stays bounded: only the previous frame and the tracks are kept).
 */
public final class HeadSyncStabilizerStage implements Stage {

    /**
     * The rigid parts of the face where head points are tracked, each a convex polygon spanned by these
     * face-mesh landmarks (478-point MediaPipe mesh; "right" is the subject's right, the image's left):
     * <ul>
     * <li>forehead: hairline row 54 103 67 109 10 338 297 332 284 down to the row above the brows
     * 68 104 69 108 151 337 299 333 298 (the brows themselves move with expressions);</li>
     * <li>nose bridge and tip, above the nostrils: 168, its sides by the inner eye corners 193 417, the
     * flanks 122 351 196 419 3 248 51 281 45 275 and the tip 4 1 (nostril wings and the line under the
     * nose move with the upper lip);</li>
     * <li>right and left upper cheekbone, a row below the lower eyelid down to about half-way to the
     * nose tip: 117 118 119 120 47 100 101 50 and 346 347 348 349 277 329 330 280.</li>
     * </ul>
     * Left out: the eyes and eyelids (blinks), the brows, everything below the nose (lips, jaw, the cheeks
     * that speech and smiles move), and the temples and face outline, where points slide along the
     * silhouette as the head turns and hair or background shows through.
     */
    static final int[][] RIGID_REGIONS = {
        {54, 103, 67, 109, 10, 338, 297, 332, 284, 298, 333, 299, 337, 151, 108, 69, 104, 68},
        {168, 417, 351, 419, 248, 281, 275, 1, 4, 45, 51, 3, 196, 122, 193},
        {117, 118, 119, 120, 47, 100, 101, 50},
        {346, 347, 348, 349, 277, 329, 330, 280},
    };

    /**
     * Landmarks of MediaPipe's rigid Procrustes basis that speech still moves: the nostril wings (129, 358),
     * the jaw outline (132, 361, 136, 365) and the cheeks at mouth level (147, 376, 205, 425). The rough
     * pose uses the whole basis, as MediaPipe does; the landmark term of the bundle adjustment leaves these
     * out, so that it does not pull the head along with the jaw.
     */
    static final Set<Integer> NON_RIGID_BASIS_LANDMARKS = Set.of(129, 358, 132, 361, 136, 365, 147, 376, 205, 425);

    public record Config(
            @Param(doc = "MediaPipe Face Landmarker bundle (face_landmarker.task): its canonical 3D face model") Path model,
            @Param(defaultValue = "1.0", doc = "size of the subject's face relative to MediaPipe's average face; sets the metric unit of translations") double modelScale,
            @Param(defaultValue = "192", doc = "the point tracker works on grey frames scaled so that the face (larger side of the "
                    + "first frame's landmark box) is about this large, px; never enlarged") int trackingFaceSizePx,
            @Param(defaultValue = "0.5", doc = "smallest focal length searched, times the larger image side") double focalMinFactor,
            @Param(defaultValue = "3.0", doc = "largest focal length searched, times the larger image side") double focalMaxFactor,
            @Param(defaultValue = "16", doc = "log-spaced focal lengths on the search grid", min = 1) int focalGridSteps,
            @Param(defaultValue = "20", doc = "golden-section steps refining the best grid focal length") int focalRefineIterations,
            @Param(defaultValue = "40", doc = "frames (evenly spaced) the focal search fits", min = 1) int focalSearchFrames,
            @Param(defaultValue = "120", doc = "head points tracked at once", min = 1) int maxKeypoints,
            @Param(defaultValue = "6.0", doc = "least distance between head points, tracking-image px") double keypointMinDistancePx,
            @Param(defaultValue = "0.3", doc = "forward-backward Lucas-Kanade check, tracking-image px") double forwardBackwardMaxPx,
            @Param(defaultValue = "5", doc = "shortest track used by bundle adjustment, frames") int minTrackFrames,
            @Param(defaultValue = "500", doc = "bundle adjustment stage 1 (points only) Adam steps", min = 0) int pointIterations,
            @Param(defaultValue = "1e-3", doc = "stage 1 learning rate for 3D points, metres") double pointLearningRate,
            @Param(defaultValue = "8000", doc = "bundle adjustment stage 2 (points, rotations, translations) Adam steps", min = 0) int jointIterations,
            @Param(defaultValue = "1e-4", doc = "stage 2 learning rate for points and translations, metres") double jointLearningRate,
            @Param(defaultValue = "1e-4", doc = "stage 2 learning rate for rotations, radians") double rotationLearningRate,
            @Param(defaultValue = "1.0", doc = "Huber scale of the reprojection residuals in both bundle adjustment stages, px") double robustScalePx,
            @Param(defaultValue = "0.01", doc = "weight of the rigid landmarks against the tracked points in stage 2 (0: tracks only, as the reference)") double landmarkWeight,
            @Param(defaultValue = "0.3", doc = "weight of the second-difference smoothness of rotations and translations (image motion, px) in stage 2 (0: none, as the reference)") double smoothnessWeight,
            @Param(defaultValue = "3.0", doc = "tracks whose RMS error exceeds the median by this many median absolute deviations are dropped") double outlierTrackMads,
            @Param(defaultValue = "1.0", doc = "tracks with an RMS error below this are never dropped, px") double outlierTrackMinPx,
            @Param(defaultValue = "\"head_pose/report.json\"", doc = "pose report, relative to the run's outputs", output = true) Path report,
            @Param(defaultValue = "\"head_pose/rotation.png\"", doc = "plot of head angles before/after bundle adjustment", output = true) Path plot) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("head-pose", "Head-Sync Stabilizer: focal search, rough pose from landmarks, optical-flow head points, " + "two-stage bundle adjustment; SyncTalk camera poses per frame",
                    Config.class,
                    List.of(PortSpec.of("frames", VideoFrame.class, "decoded video frames"), PortSpec.of("landmarks", FaceLandmarks.class, "478 face landmarks per frame, pixels")),
                    List.of(PortSpec.of("poses", HeadPose.class, "stabilised head pose per frame (emitted at the end)")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws Exception {
            return new HeadSyncStabilizerStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final CanonicalFaceModel face;
    private final RoughPoseFitter fitter;
    private final HeadPointTracker tracker;
    private final List<double[]> landmarks = new ArrayList<>();
    /** The 68-point landmarks of every frame, for the pose guard. */
    private final List<float[]> landmarks68 = new ArrayList<>();
    private long firstIndex = -1;
    private int width;
    private int height;
    private double trackingScale;

    private HeadSyncStabilizerStage(Config config, StageContext context) throws Exception {
        if (config.trackingFaceSizePx() < 32) {
            throw new IllegalArgumentException(name(context) + ": tracking-face-size-px " + config.trackingFaceSizePx()
                    + " is below 32");
        }
        this.config = config;
        this.context = context;
        this.face = CanonicalFaceModel.load(config.model());
        this.fitter = RoughPoseFitter.forBasis(face, config.modelScale());
        this.tracker = new HeadPointTracker(new HeadPointTracker.Settings(config.maxKeypoints(),
                config.keypointMinDistancePx(), 0.7, config.forwardBackwardMaxPx(), 21, 3, 0.02));
    }

    private static String name(StageContext context) {
        return "head-pose '" + context.stageName() + "'";
    }

    @Override
    public void process(Inputs in, Emitter out) {
        VideoFrame frame = in.get("frames", VideoFrame.class);
        FaceLandmarks marks = in.get("landmarks", FaceLandmarks.class);
        long index = in.frameIndex();
        if (firstIndex < 0) {
            firstIndex = index;
            width = frame.width();
            height = frame.height();
            trackingScale = Math.min(1.0, config.trackingFaceSizePx() / faceSizePx(marks));
        }
        long expected = firstIndex + landmarks.size();
        if (index < expected) {
            return; // a replayed frame already taken into account
        }
        if (index > expected) {
            throw new IllegalStateException(name(context) + ": frame " + expected + " is missing (got " + index
                    + "); the bundle adjustment needs every frame");
        }
        if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException(name(context) + ": frame " + index + " is " + frame.width() + "x"
                    + frame.height() + ", earlier frames were " + width + "x" + height);
        }
        if (marks.imageWidth() != width || marks.imageHeight() != height) {
            throw new IllegalArgumentException(name(context) + ": landmarks of frame " + index + " are for a "
                    + marks.imageWidth() + "x" + marks.imageHeight() + " image, the frame is " + width + "x" + height);
        }
        int[] ids = fitter.landmarkIds();
        double[] obs = new double[2 * ids.length];
        for (int i = 0; i < ids.length; i++) {
            obs[2 * i] = marks.x(ids[i]);
            obs[2 * i + 1] = marks.y(ids[i]);
        }
        landmarks.add(obs);
        landmarks68.add(Landmarks68.fromMesh(marks));
        List<float[]> regions = new ArrayList<>(RIGID_REGIONS.length);
        for (int[] polygonIds : RIGID_REGIONS) {
            float[] polygon = new float[2 * polygonIds.length];
            for (int i = 0; i < polygonIds.length; i++) {
                polygon[2 * i] = toTracking(marks.x(polygonIds[i]));
                polygon[2 * i + 1] = toTracking(marks.y(polygonIds[i]));
            }
            regions.add(HeadPointTracker.convexHull(polygon));
        }
        int tw = (int) Math.round(width * trackingScale);
        int th = (int) Math.round(height * trackingScale);
        tracker.accept(grey(frame, tw, th), tw, th, regions);
    }

    /** Larger side of the bounding box of the face mesh (without the iris points), px; at least 1. */
    private static double faceSizePx(FaceLandmarks marks) {
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (int i = 0; i < CanonicalFaceModel.VERTEX_COUNT; i++) {
            minX = Math.min(minX, marks.x(i));
            maxX = Math.max(maxX, marks.x(i));
            minY = Math.min(minY, marks.y(i));
            maxY = Math.max(maxY, marks.y(i));
        }
        return Math.max(1, Math.max(maxX - minX, maxY - minY));
    }

    /** Full-image pixel to tracking-image pixel (pixel centres aligned, as area resizing maps them). */
    private float toTracking(double full) {
        return (float) ((full + 0.5) * trackingScale - 0.5);
    }

    private double toFull(double tracking) {
        return (tracking + 0.5) / trackingScale - 0.5;
    }

    private static byte[] grey(VideoFrame frame, int tw, int th) {
        try (Mat rgb = new Mat(frame.height(), frame.width(), CV_8UC3); Mat grey = new Mat(); Mat small = new Mat();
                Size size = new Size(tw, th)) {
            rgb.data().put(frame.rgb());
            opencv_imgproc.cvtColor(rgb, grey, opencv_imgproc.COLOR_RGB2GRAY);
            Mat src = grey;
            if (tw != frame.width() || th != frame.height()) {
                opencv_imgproc.resize(grey, small, size, 0, 0, opencv_imgproc.INTER_AREA);
                src = small;
            }
            byte[] out = new byte[tw * th];
            ((ByteBuffer) src.createBuffer()).get(out);
            return out;
        }
    }

    @Override
    public void finish(Emitter out) throws Exception {
        int n = landmarks.size();
        if (n == 0) {
            throw new IllegalStateException(name(context) + ": no frames arrived, no poses to estimate");
        }
        BundleAdjuster.Settings baSettings = new BundleAdjuster.Settings(config.pointIterations(),
                config.pointLearningRate(), config.jointIterations(), config.jointLearningRate(),
                config.rotationLearningRate(), config.jointLearningRate(), config.robustScalePx(),
                config.landmarkWeight(), config.smoothnessWeight(), config.outlierTrackMads(), config.outlierTrackMinPx());
        StageContext.Progress progress = context.progress();
        progress.total(2L * n + baSettings.pointIterations() + baSettings.jointIterations(), "steps");

        FocalSearch.Result focal = FocalSearch.search(fitter, landmarks, width, height, new FocalSearch.Settings(
                config.focalMinFactor(), config.focalMaxFactor(), config.focalGridSteps(), config.focalRefineIterations(),
                config.focalSearchFrames()));
        progress.advance(n);
        PinholeCamera camera = PinholeCamera.centred(focal.focalPx(), width, height);
        List<RoughPoseFitter.Fit> fits = fitter.fitSequence(landmarks, camera);
        List<RigidPose> rough = new ArrayList<>(n);
        double rmsSum = 0;
        for (RoughPoseFitter.Fit f : fits) {
            rough.add(f.pose());
            rmsSum += f.rmsErrorPx();
        }
        progress.advance(n);
        context.log().info("{}: focal length {} px ({}x the larger image side); rough poses of {} frames, mean landmark "
                + "error {} px", name(context), fmt(focal.focalPx()), fmt(focal.focalPx() / Math.max(width, height)), n,
                fmt(rmsSum / n));

        List<PointTrack> tracks = new ArrayList<>();
        for (PointTrack t : tracker.tracks(config.minTrackFrames())) {
            float[] xy = t.xy();
            for (int i = 0; i < xy.length; i++) {
                xy[i] = (float) toFull(xy[i]);
            }
            tracks.add(new PointTrack(t.id(), t.firstFrame(), xy));
        }
        tracker.close();
        if (tracks.isEmpty()) {
            context.log().warn("{}: no head point could be tracked for {} frames; the poses stay the rough ones",
                    name(context), config.minTrackFrames());
        }
        BundleAdjuster adjuster = new BundleAdjuster(camera, baSettings, n, tracks, rigidLandmarks());
        double[] start = BundleAdjuster.initialPoints(tracks, rough, camera, face.verticesMetres(config.modelScale()));
        BundleAdjuster.Result adjusted = adjuster.adjust(rough, start, progress::advance);

        PoseStability before = PoseStability.of(rough);
        PoseStability after = PoseStability.of(adjusted.poses());
        context.log().info("{}: {} tracks ({} dropped as outliers), {} observations kept, reprojection rms {} px "
                + "(stage 1) -> {} px (stage 2)", name(context), tracks.size(), adjusted.rejectedTracks(),
                adjusted.observations(), fmt(adjusted.rmsAfterPointsPx()), fmt(adjusted.rmsAfterJointPx()));
        context.log().info("{}: pose stability before -> after bundle adjustment: rotation step {} -> {} deg, translation "
                + "step {} -> {} mm, rotation jitter {} -> {} deg, translation jitter {} -> {} mm", name(context),
                fmt(before.meanRotationStepDeg()), fmt(after.meanRotationStepDeg()), fmt(before.meanTranslationStepMm()),
                fmt(after.meanTranslationStepMm()), fmt(before.meanRotationJitterDeg()), fmt(after.meanRotationJitterDeg()),
                fmt(before.meanTranslationJitterMm()), fmt(after.meanTranslationJitterMm()));
        List<HeadPose> poses = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            poses.add(HeadPose.of(firstIndex + i, adjusted.poses().get(i), camera));
        }
        PoseGuard.Intrinsics intrinsics = new PoseGuard.Intrinsics(camera.focalPx(), camera.focalPx(), camera.cx(),
                camera.cy());
        PoseGuard.Result guard = poseGuard(poses.stream().map(HeadPose::toTransformMatrix).toList(), intrinsics);
        PoseGuard.Result roughGuard = guard == null ? null : poseGuard(rough.stream()
                .map(p -> HeadPose.of(0, p, camera).toTransformMatrix()).toList(), intrinsics);
        if (guard != null) {
            context.log().info("{}: pose guard: rigid landmarks (nose, eye corners) triangulated with the poses reproject"
                    + " at {} px RMS (rough poses: {} px); with every rotation replaced by the first frame's: {} px ({}x)",
                    name(context), fmt(guard.reprojectionRmsPx()),
                    roughGuard == null ? "none" : fmt(roughGuard.reprojectionRmsPx()),
                    fmt(guard.controlRmsPx()), fmt(guard.controlRatio()));
        }
        Path report = context.output(config.report());
        PoseReport.writeJson(report, PoseReport.json(n, firstIndex, camera, focal, rmsSum / n, tracks.size(), adjusted,
                baSettings, before, after, guard, roughGuard));
        PoseReport.writePlot(context.output(config.plot()), rough, adjusted.poses());
        for (HeadPose pose : poses) {
            out.emit("poses", pose);
        }
    }

    /** The pose guard of these poses (dataset matrices), or null with a warning when it cannot be measured. */
    private PoseGuard.Result poseGuard(List<double[]> cameraToWorld, PoseGuard.Intrinsics intrinsics) {
        if (cameraToWorld.size() < 2) {
            return null;
        }
        try {
            return PoseGuard.measure(cameraToWorld, intrinsics, landmarks68);
        } catch (PoseGuard.UntriangulableException e) {
            context.log().warn("{}: no pose guard: {}", name(context), e.getMessage());
            return null;
        }
    }

    /** The landmark term's observations: the rough fit's landmarks without {@link #NON_RIGID_BASIS_LANDMARKS}. */
    private BundleAdjuster.Landmarks rigidLandmarks() {
        int[] ids = fitter.landmarkIds();
        double[] model = fitter.modelPointsMetres();
        double[] weights = fitter.weights();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (!NON_RIGID_BASIS_LANDMARKS.contains(ids[i])) {
                kept.add(i);
            }
        }
        double[] keptModel = new double[3 * kept.size()];
        double[] keptWeights = new double[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            System.arraycopy(model, 3 * kept.get(k), keptModel, 3 * k, 3);
            keptWeights[k] = weights[kept.get(k)];
        }
        List<double[]> observed = new ArrayList<>(landmarks.size());
        for (double[] frame : landmarks) {
            double[] keptFrame = new double[2 * kept.size()];
            for (int k = 0; k < kept.size(); k++) {
                keptFrame[2 * k] = frame[2 * kept.get(k)];
                keptFrame[2 * k + 1] = frame[2 * kept.get(k) + 1];
            }
            observed.add(keptFrame);
        }
        return new BundleAdjuster.Landmarks(keptModel, keptWeights, observed);
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }

    @Override
    public void close() {
        tracker.close();
    }
}
