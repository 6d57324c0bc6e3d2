package dev.synctalk.dataset;

import java.nio.file.Path;

/**
 * Where each file of a SyncTalk dataset lives, relative to its root, exactly as the Python preprocessing
 * (data_utils/process.py) and the training loader (nerf_triplane/provider.py) name them.
 */
public record DatasetLayout(Path root) {
    public static final String ORIGINAL_DIR = "ori_imgs";
    public static final String PARSING_DIR = "parsing";
    public static final String GROUND_TRUTH_DIR = "gt_imgs";
    public static final String TORSO_DIR = "torso_imgs";
    public static final String BACKGROUND = "bc.jpg";
    public static final String AUDIO = "aud.wav";
    public static final String BLENDSHAPES = "bs.npy";
    /** Written last by our writer, with the frame counts; absent from Python-made datasets. */
    public static final String COMPLETE_MARKER = "dataset.complete";
    /** Present while our writer is still filling the folder. */
    public static final String INCOMPLETE_MARKER = "dataset.incomplete";

    /** Source frame as decoded from the video (JPEG). */
    public Path original(int imageId) {
        return root.resolve(ORIGINAL_DIR).resolve(imageId + ".jpg");
    }

    /** 2D landmarks, one "x y" line per point (np.savetxt '%f'). */
    public Path landmarks(int imageId) {
        return root.resolve(ORIGINAL_DIR).resolve(imageId + ".lms");
    }

    /** Semantic parsing in {@link ParsingClass} colours (PNG). */
    public Path parsing(int imageId) {
        return root.resolve(PARSING_DIR).resolve(imageId + ".png");
    }

    /** Blurred face mask for portrait mode (PNG): soft mask = (255 - green) / 255. */
    public Path faceMask(int imageId) {
        return root.resolve(PARSING_DIR).resolve(imageId + "_face.png");
    }

    /** Source frame with the background replaced by bc.jpg (JPEG): the training target. */
    public Path groundTruth(int imageId) {
        return root.resolve(GROUND_TRUTH_DIR).resolve(imageId + ".jpg");
    }

    /** Torso without head, neck gap filled, with alpha (RGBA PNG). */
    public Path torso(int imageId) {
        return root.resolve(TORSO_DIR).resolve(imageId + ".png");
    }

    public Path background() {
        return root.resolve(BACKGROUND);
    }

    public Path audio() {
        return root.resolve(AUDIO);
    }

    public Path blendshapes() {
        return root.resolve(BLENDSHAPES);
    }

    public Path transforms(Split split) {
        return root.resolve(split.fileName());
    }
}
