package dev.synctalk.training;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training split of a dataset in memory, as head training needs it: camera, and per frame the
 * trainer-axes pose, the ground truth (gt_imgs), the background (bc.jpg), the face mask (the parsing's
 * head class) and the lower-face mask (head pixels below {@link #LOWER_FACE_FRACTION} of the head's
 * height, standing in for the reference's landmark lips box), the expression and the audio features.
 */
public final class TrainingSet {
    /** Fraction of the head's bounding box height (from its top) below which the lower face starts. */
    static final double LOWER_FACE_FRACTION = 0.55;

    /** One training frame; {@code codeIndex} is its position in the training split (its individual code). */
    public record Image(int imageId, int audioId, int codeIndex, float[] pose, float[] rgb, float[] faceMask,
                        float[] lowerFaceMask, float[] expression, float[] torsoBackground) {
    }

    private final SyncTalkDataset dataset;
    private final CameraRays camera;
    private final float[] background;
    private final List<Image> images;
    private final DatasetAudioFeatures audio;

    private TrainingSet(SyncTalkDataset dataset, CameraRays camera, float[] background, List<Image> images,
                        DatasetAudioFeatures audio) {
        this.dataset = dataset;
        this.camera = camera;
        this.background = background;
        this.images = images;
        this.audio = audio;
    }

    public static CameraRays camera(SyncTalkDataset dataset) {
        var c = dataset.camera();
        return new CameraRays(c.width(), c.height(), (float) c.focalX(), (float) c.focalY(), (float) c.cx(),
                (float) c.cy());
    }

    /** The background bc.jpg as [H*W*3] in [0, 1], checked against the camera's size. */
    public static float[] background(SyncTalkDataset dataset) throws IOException {
        return rgb(dataset.layout().background(), camera(dataset));
    }

    static float[] rgb(Path file, CameraRays camera) throws IOException {
        FloatImage image = ImageFiles.read(file);
        if (image.width() != camera.width() || image.height() != camera.height()) {
            throw new DatasetException(file + " is " + image.width() + "x" + image.height() + " but the dataset's"
                    + " camera is " + camera.width() + "x" + camera.height());
        }
        return image.channels() == 3 ? image.data() : image.rgb().data();
    }

    public static TrainingSet load(Path root, AudioFeatureKind kind) throws IOException {
        SyncTalkDataset dataset = DatasetReader.read(root);
        CameraRays camera = camera(dataset);
        DatasetLayout layout = dataset.layout();
        float[] background = background(dataset);
        DatasetAudioFeatures audio = DatasetAudioFeatures.load(root, kind);
        List<Image> images = new ArrayList<>();
        List<FramePose> train = dataset.train();
        for (int k = 0; k < train.size(); k++) {
            FramePose f = train.get(k);
            if (f.audioId() >= audio.frameCount()) {
                throw new DatasetException("dataset " + root + ": img_id " + f.imageId() + " speaks aud_id " + f.audioId()
                        + " but the audio features have " + audio.frameCount() + " frames");
            }
            Path parsingFile = layout.parsing(f.imageId());
            if (!Files.isRegularFile(parsingFile)) {
                throw new DatasetException("dataset " + root + ": training needs the parsing mask " + parsingFile);
            }
            ParsingMap parsing = ParsingMap.read(parsingFile);
            float[][] masks = faceMasks(parsing);
            images.add(new Image(f.imageId(), f.audioId(), k, NerfPoses.toTrainer(f.transformMatrix()),
                    rgb(layout.groundTruth(f.imageId()), camera), masks[0], masks[1], dataset.expression(f.imageId()),
                    torsoOverBackground(layout.torso(f.imageId()), background, camera)));
        }
        return new TrainingSet(dataset, camera, background, List.copyOf(images), audio);
    }

    /** torso_imgs/N.png (RGBA) over the background [H*W*3]; the background itself when the file is absent. */
    static float[] torsoOverBackground(Path torsoFile, float[] background, CameraRays camera) throws IOException {
        if (!Files.isRegularFile(torsoFile)) {
            return background;
        }
        FloatImage torso = ImageFiles.read(torsoFile);
        if (torso.width() != camera.width() || torso.height() != camera.height() || torso.channels() != 4) {
            throw new DatasetException(torsoFile + " must be an RGBA image of " + camera.width() + "x" + camera.height()
                    + ", is " + torso.width() + "x" + torso.height() + " with " + torso.channels() + " channels");
        }
        float[] rgba = torso.data();
        float[] out = new float[background.length];
        for (int p = 0; p < out.length / 3; p++) {
            float a = rgba[4 * p + 3];
            for (int c = 0; c < 3; c++) {
                out[3 * p + c] = rgba[4 * p + c] * a + (1 - a) * background[3 * p + c];
            }
        }
        return out;
    }

    /** Face (head class) and lower-face masks of a parsing map. */
    static float[][] faceMasks(ParsingMap parsing) {
        int w = parsing.width();
        int h = parsing.height();
        float[] face = new float[w * h];
        int top = h;
        int bottom = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (parsing.at(x, y) == ParsingClass.HEAD) {
                    face[y * w + x] = 1f;
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        float[] lower = new float[w * h];
        if (bottom >= top) {
            int from = (int) Math.ceil(top + LOWER_FACE_FRACTION * (bottom - top + 1));
            for (int y = from; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    lower[y * w + x] = face[y * w + x];
                }
            }
        }
        return new float[][] {face, lower};
    }

    public SyncTalkDataset dataset() {
        return dataset;
    }

    public CameraRays camera() {
        return camera;
    }

    public float[] background() {
        return background;
    }

    public List<Image> images() {
        return images;
    }

    public DatasetAudioFeatures audio() {
        return audio;
    }
}
