package dev.synctalk.training;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.Landmarks;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.gpu.lpips.LpipsAlex;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.nerf.HeadTrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SyncTalk dataset folder as {@link HeadTrainingData}: the training split's poses (trainer axes),
 * expressions, audio frames and individual-code indices, the audio features, the lips rectangles when a lips
 * fine-tune needs them, and a pixel source that reads one frame at a time: gt_imgs (ground truth), the
 * parsing's head class (face mask) and its lower part (below {@link TrainingSet#LOWER_FACE_FRACTION} of the
 * head's height), and the frame's torso over bc.jpg (the background the head is composited over), as bytes.
 */
public final class HeadTrainingDatasets {
    /** Smallest side of a lips patch, the reference's padding of the lips rectangle. */
    public static final int LIPS_MIN_SIDE = 32;

    private HeadTrainingDatasets() {
    }

    /**
     * @param window audio frames per attention window
     * @param lips   whether to read every frame's landmarks for its lips rectangle (the lips fine-tune)
     */
    public static HeadTrainingData load(Path root, AudioFeatureKind kind, int window, boolean lips) throws IOException {
        SyncTalkDataset dataset = DatasetReader.read(root);
        CameraRays camera = TrainingSet.camera(dataset);
        DatasetLayout layout = dataset.layout();
        DatasetAudioFeatures audio = DatasetAudioFeatures.load(root, kind);
        float[] bc = TrainingSet.background(dataset);
        List<FramePose> train = dataset.train();
        if (train.isEmpty()) {
            throw new DatasetException("dataset " + root + " has no training frames");
        }
        List<HeadTrainingData.Frame> frames = new ArrayList<>();
        for (int k = 0; k < train.size(); k++) {
            FramePose f = train.get(k);
            if (f.audioId() >= audio.frameCount()) {
                throw new DatasetException("dataset " + root + ": img_id " + f.imageId() + " speaks aud_id "
                        + f.audioId() + " but the audio features have " + audio.frameCount() + " frames");
            }
            Path parsing = layout.parsing(f.imageId());
            if (!Files.isRegularFile(parsing)) {
                throw new DatasetException("dataset " + root + ": training needs the parsing mask " + parsing);
            }
            int[] rectangle = null;
            if (lips) {
                Path lms = layout.landmarks(f.imageId());
                rectangle = lipsRectangle(Landmarks.read(lms), camera.width(), camera.height(), lms);
            }
            frames.add(new HeadTrainingData.Frame(f.imageId(), k, f.audioId(), NerfPoses.toTrainer(f.transformMatrix()),
                    dataset.expression(f.imageId()), rectangle));
        }
        HeadTrainingData.PixelSource pixels = (k, rgbm, background) -> {
            FramePose f = train.get(k);
            float[] rgb = TrainingSet.rgb(layout.groundTruth(f.imageId()), camera);
            float[][] masks = TrainingSet.faceMasks(ParsingMap.read(layout.parsing(f.imageId())));
            float[] behind = TrainingSet.torsoOverBackground(layout.torso(f.imageId()), bc, camera);
            int n = camera.width() * camera.height();
            for (int p = 0; p < n; p++) {
                for (int c = 0; c < 3; c++) {
                    rgbm[4 * p + c] = HeadTrainingData.toByte(rgb[3 * p + c]);
                    background[3 * p + c] = HeadTrainingData.toByte(behind[3 * p + c]);
                }
                rgbm[4 * p + 3] = (byte) ((masks[0][p] != 0 ? HeadTrainingData.FACE : 0)
                        | (masks[1][p] != 0 ? HeadTrainingData.LOWER_FACE : 0));
            }
        };
        return new HeadTrainingData(camera, frames, audio.frameShape(), audio.frames(), window, pixels);
    }

    /**
     * The square around landmarks 48-67 (the mouth): centred on their bounding box, side = the box's
     * larger extent rounded up, at least {@link #LIPS_MIN_SIDE} and at most the image; shifted inside the
     * image. Returns x0, y0, side.
     */
    static int[] lipsRectangle(float[][] landmarks, int width, int height, Path source) {
        if (landmarks.length < 68) {
            throw new IllegalArgumentException(source + ": the lips patch needs 68 landmarks, the file has "
                    + landmarks.length);
        }
        float xMin = Float.POSITIVE_INFINITY;
        float xMax = Float.NEGATIVE_INFINITY;
        float yMin = Float.POSITIVE_INFINITY;
        float yMax = Float.NEGATIVE_INFINITY;
        for (int i = 48; i < 68; i++) {
            xMin = Math.min(xMin, landmarks[i][0]);
            xMax = Math.max(xMax, landmarks[i][0]);
            yMin = Math.min(yMin, landmarks[i][1]);
            yMax = Math.max(yMax, landmarks[i][1]);
        }
        int limit = Math.min(width, height);
        if (limit < LpipsAlex.MIN_SIDE) {
            throw new IllegalArgumentException(source + ": the lips patch needs images of at least " + LpipsAlex.MIN_SIDE
                    + " px, they are " + width + "x" + height);
        }
        int side = Math.min(limit, Math.max(LIPS_MIN_SIDE, (int) Math.ceil(Math.max(xMax - xMin, yMax - yMin))));
        int x0 = clamp(Math.round((xMin + xMax) / 2 - side / 2f), 0, width - side);
        int y0 = clamp(Math.round((yMin + yMax) / 2 - side / 2f), 0, height - side);
        return new int[] {x0, y0, side};
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
