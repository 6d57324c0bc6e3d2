package dev.synctalk.parsing;

import dev.synctalk.face.FaceFinder;
import dev.synctalk.face.FaceLandmarkerBundle;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.face.FrameFaces;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoDecodeStage;
import dev.synctalk.video.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Decoded frames of the shared sample videos, with their landmarks (tests skip when the data is absent). */
final class SampleFrames {
    private SampleFrames() {
    }

    /** A frame and the 478 landmarks the face mesh finds in it. */
    record WithLandmarks(VideoFrame frame, FaceLandmarks landmarks) {
        RgbImage image() {
            return new RgbImage(frame.width(), frame.height(), frame.rgb());
        }

        FaceOutline face() {
            return FaceOutline.of(landmarks, frame.width(), frame.height());
        }
    }

    /** The first {@code count} frames of the named sample video, keeping only those in {@code keep} when given. */
    static List<VideoFrame> decode(String video, int count, Set<Long> keep, Path runDir) throws Exception {
        Path file = SyntheticMedia.sharedData(video);
        var stage = new VideoDecodeStage.Type().create(
                Configs.of(VideoDecodeStage.Config.class, Map.of("path", file, "maxFrames", count)),
                new TestStageContext("decode", runDir));
        try (stage) {
            List<VideoFrame> frames = Collected.drain(stage, "frames", VideoFrame.class);
            return keep == null ? frames : frames.stream().filter(f -> keep.contains(f.frameIndex())).toList();
        }
    }

    private static final Map<String, List<WithLandmarks>> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** Frames of a sample video with the landmarks of their largest face (decoded once per test JVM). */
    static synchronized List<WithLandmarks> withLandmarks(String video, Set<Long> keep, Path runDir) throws Exception {
        String key = video + new java.util.TreeSet<>(keep);
        List<WithLandmarks> cached = CACHE.get(key);
        if (cached == null) {
            cached = find(video, keep, runDir);
            CACHE.put(key, cached);
        }
        return cached;
    }

    private static List<WithLandmarks> find(String video, Set<Long> keep, Path runDir) throws Exception {
        long last = keep.stream().mapToLong(Long::longValue).max().orElseThrow();
        List<VideoFrame> frames = decode(video, (int) last + 1, keep, runDir);
        List<WithLandmarks> out = new ArrayList<>();
        try (FaceLandmarkerBundle bundle = FaceLandmarkerBundle.open(
                SyntheticMedia.sharedData("models/face_landmarker.task"), 0.5f)) {
            FaceFinder finder = new FaceFinder(bundle, 0.5f);
            for (VideoFrame f : frames) {
                FrameFaces.Face face = finder.find(f).get(0);
                out.add(new WithLandmarks(f, new FaceLandmarks(f.frameIndex(), f.width(), f.height(), face.points(),
                        face.score(), false)));
            }
        }
        return out;
    }

    static Path segmentationModel() {
        return SyntheticMedia.sharedData("models/selfie_segmentation.tflite");
    }

    /** The x, y of the 478 landmarks. */
    static float[] xy(FaceLandmarks landmarks) {
        float[] xy = new float[FaceLandmarks.COUNT * 2];
        for (int i = 0; i < FaceLandmarks.COUNT; i++) {
            xy[2 * i] = landmarks.x(i);
            xy[2 * i + 1] = landmarks.y(i);
        }
        return xy;
    }
}
