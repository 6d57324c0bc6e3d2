package dev.synctalk.dataset;

import dev.synctalk.image.FloatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small complete datasets written with {@link DatasetWriter}, for tests. */
public final class TinyDatasets {
    public static final int WIDTH = 8;
    public static final int HEIGHT = 6;
    public static final double FOCAL = 12.5;

    private TinyDatasets() {
    }

    /** Pose of frame i: identity rotation, camera moved along z and x by known amounts. */
    public static FramePose pose(int i) {
        double[] m = {
            1, 0, 0, 0.01 * i,
            0, 1, 0, 0,
            0, 0, 1, 2.5 + 0.001 * i,
            0, 0, 0, 1};
        return new FramePose(i, i, m);
    }

    /** bs.npy value of frame {@code i}, column {@code k}. */
    public static double blendshape(int i, int k) {
        return (i * 52 + k) / 1000.0;
    }

    public static NpyArray blendshapes(int frames) {
        double[] data = new double[frames * 52];
        for (int i = 0; i < frames; i++) {
            for (int k = 0; k < 52; k++) {
                data[i * 52 + k] = blendshape(i, k);
            }
        }
        return new NpyArray(NpyArray.Dtype.FLOAT64, new int[] {frames, 52}, data);
    }

    /** Writes every file of frames 0..frames-1 except those for which {@code skip} says so, without committing. */
    public static void fill(DatasetWriter writer, int frames, Path wav, FileFilter skip) throws IOException {
        Random random = new Random(7);
        FloatImage image = FloatImage.blank(WIDTH, HEIGHT, 3);
        for (int i = 0; i < image.data().length; i++) {
            image.data()[i] = random.nextInt(256) / 255f;
        }
        FloatImage rgba = FloatImage.blank(WIDTH, HEIGHT, 4);
        writer.writeBackground(image);
        Files.createDirectories(wav.getParent());
        if (!Files.exists(wav)) {
            Files.write(wav, new byte[44]);
        }
        writer.copyAudio(wav);
        writer.writeBlendshapes(blendshapes(frames));
        for (int i = 0; i < frames; i++) {
            if (!skip.skip("ori", i)) {
                writer.writeOriginal(i, image);
            }
            if (!skip.skip("lms", i)) {
                writer.writeLandmarks(i, new float[][] {{1.5f, 2.25f}, {3f, 4f}});
            }
            if (!skip.skip("gt", i)) {
                writer.writeGroundTruth(i, image);
            }
            if (!skip.skip("torso", i)) {
                writer.writeTorso(i, rgba);
            }
            writer.writeParsing(i, ParsingMap.filled(WIDTH, HEIGHT, ParsingClass.BACKGROUND));
        }
    }

    @FunctionalInterface
    public interface FileFilter {
        boolean skip(String kind, int frame);
    }

    public static List<FramePose> poses(int frames) {
        List<FramePose> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(pose(i));
        }
        return out;
    }

    /** A complete committed dataset of {@code frames} frames at {@code dir}. */
    public static SyncTalkDataset write(Path dir, int frames) throws IOException {
        try (DatasetWriter writer = DatasetWriter.create(dir)) {
            fill(writer, frames, dir.resolveSibling(dir.getFileName() + "-src").resolve("aud.wav"), (k, i) -> false);
            return writer.commit(CameraIntrinsics.centered(FOCAL, WIDTH, HEIGHT), poses(frames));
        }
    }
}
