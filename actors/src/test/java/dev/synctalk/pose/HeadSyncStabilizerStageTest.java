package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.face.FaceLandmarks;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoFrame;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadSyncStabilizerStageTest {
    private static final int SIZE = 192;
    private static final PinholeCamera CAMERA = PinholeCamera.centred(300, SIZE, SIZE);

    @TempDir
    Path runDir;

    /**
     * A textured card on the face (the plane z = 5 cm in head coordinates) moving rigidly with the head,
     * rendered by ray casting, so what the tracker sees agrees with the landmarks' motion.
     */
    private static VideoFrame render(int index, RigidPose pose) {
        double[] r = pose.rotation();
        double[] t = pose.translation();
        double[] normal = {r[2], r[5], r[8]};
        double[] onPlane = pose.toCamera(0, 0, 0.05);
        double planeOffset = normal[0] * onPlane[0] + normal[1] * onPlane[1] + normal[2] * onPlane[2];
        double[] rt = Rotations.transpose(r);
        byte[] rgb = new byte[SIZE * SIZE * 3];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double[] d = {(x - CAMERA.cx()) / CAMERA.focalPx(), (y - CAMERA.cy()) / CAMERA.focalPx(), 1};
                double s = planeOffset / (normal[0] * d[0] + normal[1] * d[1] + normal[2] * d[2]);
                double[] head = Rotations.apply(rt, s * d[0] - t[0], s * d[1] - t[1], s * d[2] - t[2]);
                double value = 90;
                if (Math.abs(head[0]) < 0.1 && Math.abs(head[1]) < 0.11) {
                    double hx = head[0] * 100;
                    double hy = head[1] * 100;
                    value = 128 + 40 * Math.sin(2.1 * hx + 0.7 * hy) + 30 * Math.sin(1.3 * hy - 1.7 * hx + 1)
                            + 25 * Math.sin(3.1 * hx + 2.3 * hy + 2);
                }
                int v = (int) Math.max(0, Math.min(255, Math.round(value)));
                for (int c = 0; c < 3; c++) {
                    rgb[3 * (y * SIZE + x) + c] = (byte) v;
                }
            }
        }
        return new VideoFrame(index, index * 40_000L, SIZE, SIZE, rgb);
    }

    private static FaceLandmarks landmarks(int index, CanonicalFaceModel model, RigidPose pose, Random random) {
        float[] points = new float[FaceLandmarks.COUNT * 3];
        double[] vertices = model.verticesMetres(1.0);
        for (int i = 0; i < FaceLandmarks.COUNT; i++) {
            int v = i < model.vertexCount() ? i : 1; // iris points are not in the canonical mesh
            double[] p = pose.toCamera(vertices[3 * v], vertices[3 * v + 1], vertices[3 * v + 2]);
            points[3 * i] = (float) (CAMERA.focalPx() * p[0] / p[2] + CAMERA.cx() + random.nextGaussian());
            points[3 * i + 1] = (float) (CAMERA.focalPx() * p[1] / p[2] + CAMERA.cy() + random.nextGaussian());
            points[3 * i + 2] = (float) (p[2] * CAMERA.focalPx() / 0.6);
        }
        return new FaceLandmarks(index, SIZE, SIZE, points, 0.99f, false);
    }

    private static Map<String, Object> fastSettings(Path model) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("model", model);
        overrides.put("pointIterations", 200);
        // Stage 2 keeps its default step count: the smoothness term's slow directions need the steps (with
        // 2000 the worst synthetic error is 3.1 deg, with 8000 1.5 deg).
        overrides.put("focalGridSteps", 8);
        overrides.put("focalRefineIterations", 6);
        return overrides;
    }

    @Test
    void stageEmitsOnePosePerFrame() throws Exception {
        Path task = SyntheticMedia.sharedData("models/face_landmarker.task");
        CanonicalFaceModel model = CanonicalFaceModel.load(task);
        int frames = 24;
        List<RigidPose> truth = SyntheticHead.smoothMotion(frames, 12);
        TestStageContext context = new TestStageContext("pose", runDir);
        Stage stage = new HeadSyncStabilizerStage.Type()
                .create(Configs.of(HeadSyncStabilizerStage.Config.class, fastSettings(task)), context);
        Collected<HeadPose> out = new Collected<>("poses", HeadPose.class);
        Random random = new Random(5);
        long first = 100;
        for (int i = 0; i < frames; i++) {
            stage.process(new Inputs(first + i, Map.of("frames", render((int) first + i, truth.get(i)),
                    "landmarks", landmarks((int) first + i, model, truth.get(i), random))), out);
        }
        assertTrue(out.messages.isEmpty(), "bundle adjustment is global: nothing before finish");
        stage.finish(out);
        stage.close();

        assertEquals(frames, out.messages.size());
        double worstDeg = 0;
        for (int i = 0; i < frames; i++) {
            HeadPose pose = out.messages.get(i);
            assertEquals(first + i, pose.frameIndex());
            assertEquals(SIZE / 2.0, pose.cx(), 1e-6);
            float[] r = pose.rotation();
            double[] expected = truth.get(i).toOpenGl().rotation();
            double[] got = new double[9];
            for (int k = 0; k < 9; k++) {
                got[k] = r[k];
            }
            worstDeg = Math.max(worstDeg, Rotations.angleBetweenDeg(got, expected));
        }
        System.out.printf("stage: worst rotation error %.3f deg%n", worstDeg);
        assertTrue(worstDeg < 3.0, "worst rotation error " + worstDeg + " deg");
        assertTrue(Math.abs(out.messages.get(0).focalPx() - CAMERA.focalPx()) < 0.25 * CAMERA.focalPx(),
                "focal " + out.messages.get(0).focalPx());
        assertEquals(context.progressTotal, context.progressAdvanced, "progress reaches its total");

        String report = Files.readString(runDir.resolve("outputs/head_pose/report.json"));
        assertTrue(report.contains("\"beforeBundleAdjustment\"") && report.contains("\"afterBundleAdjustment\""), report);
        assertTrue(report.contains("\"frames\": 24"), report);
        BufferedImage plot = ImageIO.read(runDir.resolve("outputs/head_pose/rotation.png").toFile());
        assertTrue(plot.getWidth() >= 800 && plot.getHeight() >= 600);
        Files.copy(runDir.resolve("outputs/head_pose/rotation.png"), Files.createDirectories(Path.of("target/pose"))
                .resolve("synthetic_rotation.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void missingFrameIsAnErrorNamingIt() throws Exception {
        Path task = SyntheticMedia.sharedData("models/face_landmarker.task");
        CanonicalFaceModel model = CanonicalFaceModel.load(task);
        List<RigidPose> truth = SyntheticHead.smoothMotion(3, 5);
        Stage stage = new HeadSyncStabilizerStage.Type().create(
                Configs.of(HeadSyncStabilizerStage.Config.class, fastSettings(task)), new TestStageContext("pose", runDir));
        Collected<HeadPose> out = new Collected<>("poses", HeadPose.class);
        Random random = new Random(1);
        stage.process(new Inputs(0, Map.of("frames", render(0, truth.get(0)), "landmarks",
                landmarks(0, model, truth.get(0), random))), out);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stage.process(new Inputs(2,
                Map.of("frames", render(2, truth.get(2)), "landmarks", landmarks(2, model, truth.get(2), random))), out));
        assertTrue(e.getMessage().contains("frame 1 is missing"), e.getMessage());
        stage.close();
    }

    @Test
    void absentModelFileIsNamedInTheError() {
        Path absent = runDir.resolve("models/face_landmarker.task");
        Exception e = assertThrows(Exception.class, () -> new HeadSyncStabilizerStage.Type().create(
                Configs.of(HeadSyncStabilizerStage.Config.class, Map.of("model", absent)), new TestStageContext("pose", runDir)));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }

}
