package dev.synctalk.training;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.nerf.TorsoTrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset's training split as torso training reads it ({@link TorsoTrainingData}): per frame its trainer-axes
 * pose, its torso code (position in the split) and torso_imgs/N.png as packed RGBA, read when asked for (a
 * missing file is a fully transparent torso, so the target is bc.jpg there); bc.jpg as the background.
 */
public final class TorsoTrainingSet {

    private TorsoTrainingSet() {
    }

    public static TorsoTrainingData load(Path root) throws IOException {
        SyncTalkDataset dataset = DatasetReader.read(root);
        CameraRays camera = TrainingSet.camera(dataset);
        DatasetLayout layout = dataset.layout();
        List<TorsoTrainingData.Frame> frames = new ArrayList<>();
        List<FramePose> train = dataset.train();
        if (train.isEmpty()) {
            throw new DatasetException("dataset " + root + " has no training frames");
        }
        for (int k = 0; k < train.size(); k++) {
            FramePose f = train.get(k);
            frames.add(new TorsoTrainingData.Frame(f.imageId(), k, NerfPoses.toTrainer(f.transformMatrix())));
        }
        int width = camera.width();
        int height = camera.height();
        return new TorsoTrainingData(width, height, TrainingSet.background(dataset), frames,
                frame -> packedTorso(layout.torso(frames.get(frame).imageId()), width, height));
    }

    /** torso_imgs/N.png as packed RGBA; all transparent when the file is absent. */
    static int[] packedTorso(Path file, int width, int height) throws IOException {
        int[] rgba = new int[width * height];
        if (!Files.isRegularFile(file)) {
            return rgba;
        }
        FloatImage torso = ImageFiles.read(file);
        if (torso.width() != width || torso.height() != height || torso.channels() != 4) {
            throw new DatasetException(file + " must be an RGBA image of " + width + "x" + height + ", is "
                    + torso.width() + "x" + torso.height() + " with " + torso.channels() + " channels");
        }
        byte[] bytes = torso.toBytes();
        for (int p = 0; p < rgba.length; p++) {
            rgba[p] = TorsoTrainingData.pack(bytes[4 * p], bytes[4 * p + 1], bytes[4 * p + 2], bytes[4 * p + 3]);
        }
        return rgba;
    }
}
