package dev.synctalk.dataset;

import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.output.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a SyncTalk dataset so that it never looks complete before it is: everything goes into a hidden
 * sibling folder marked {@code dataset.incomplete}; {@link #commit} writes the transforms files, checks
 * the folder with {@link DatasetReader}, writes {@code dataset.complete} and renames the folder onto the
 * target. Closing without a commit deletes the partial folder.
 */
public final class DatasetWriter implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final DatasetLayout layout;
    private boolean committed;

    private DatasetWriter(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
        this.layout = new DatasetLayout(staging);
    }

    /** Starts a dataset at {@code target}, which must not exist yet. */
    public static DatasetWriter create(Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw new FileAlreadyExistsException(absolute.toString(), null, "dataset folder already exists");
        }
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".partial-");
        Files.writeString(staging.resolve(DatasetLayout.INCOMPLETE_MARKER), "being written\n");
        return new DatasetWriter(absolute, staging);
    }

    /** The layout of the folder being written (not the final target until {@link #commit}). */
    public DatasetLayout staging() {
        return layout;
    }

    public Path target() {
        return target;
    }

    public void writeOriginal(int imageId, FloatImage rgb) throws IOException {
        ImageFiles.write(layout.original(imageId), rgb);
    }

    public void writeLandmarks(int imageId, float[][] points) throws IOException {
        Landmarks.write(layout.landmarks(imageId), points);
    }

    public void writeParsing(int imageId, ParsingMap parsing) throws IOException {
        ImageFiles.write(layout.parsing(imageId), parsing.toImage());
    }

    /** The portrait face mask image, in the reference's encoding (see {@link DatasetLayout#faceMask}). */
    public void writeFaceMask(int imageId, FloatImage maskImage) throws IOException {
        ImageFiles.write(layout.faceMask(imageId), maskImage);
    }

    public void writeGroundTruth(int imageId, FloatImage rgb) throws IOException {
        ImageFiles.write(layout.groundTruth(imageId), rgb);
    }

    public void writeTorso(int imageId, FloatImage rgba) throws IOException {
        if (rgba.channels() != 4) {
            throw new IllegalArgumentException("torso image " + imageId + " must be RGBA, has " + rgba.channels()
                    + " channels");
        }
        ImageFiles.write(layout.torso(imageId), rgba);
    }

    public void writeBackground(FloatImage rgb) throws IOException {
        ImageFiles.write(layout.background(), rgb);
    }

    /** Copies a 16 kHz mono WAV file as aud.wav. */
    public void copyAudio(Path wav) throws IOException {
        Files.copy(wav, layout.audio(), StandardCopyOption.REPLACE_EXISTING);
    }

    public void writeBlendshapes(NpyArray blendshapes) throws IOException {
        int[] shape = blendshapes.shape();
        if (shape.length != 2 || shape[1] != SyncTalkDataset.BLENDSHAPE_COUNT) {
            throw new IllegalArgumentException("bs.npy must be [N, " + SyncTalkDataset.BLENDSHAPE_COUNT + "], got "
                    + blendshapes);
        }
        blendshapes.write(layout.blendshapes());
    }

    /** Any other file, e.g. audio features {@code aud_ave.npy}, under the dataset root. */
    public void writeFile(String relativePath, byte[] bytes) throws IOException {
        Path file = staging.resolve(relativePath).normalize();
        if (!file.startsWith(staging)) {
            throw new IllegalArgumentException("path escapes the dataset folder: " + relativePath);
        }
        AtomicFiles.write(file, bytes);
    }

    /**
     * Writes transforms_train.json (first 10/11 of {@code sequence}) and transforms_val.json (the rest),
     * checks the folder is complete, and moves it onto the target.
     */
    public SyncTalkDataset commit(CameraIntrinsics camera, List<FramePose> sequence) throws IOException {
        if (committed) {
            throw new IllegalStateException("dataset " + target + " is already committed");
        }
        if (sequence.isEmpty()) {
            throw new DatasetException("dataset " + target + " has no frames");
        }
        Files.delete(layout.root().resolve(DatasetLayout.INCOMPLETE_MARKER));
        commitInPlace(layout, camera, sequence);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
        committed = true;
        return DatasetReader.read(target);
    }

    /**
     * Completes a dataset whose files other stages wrote straight into {@code layout}: writes the
     * transforms files, checks the folder with {@link DatasetReader} and writes {@code dataset.complete}.
     * If the check fails the transforms files are removed again, so a failed run never leaves a folder
     * that looks like a dataset.
     */
    public static SyncTalkDataset commitInPlace(DatasetLayout layout, CameraIntrinsics camera, List<FramePose> sequence)
            throws IOException {
        if (sequence.isEmpty()) {
            throw new DatasetException("dataset " + layout.root() + " has no frames");
        }
        int trainCount = Split.trainCount(sequence.size());
        writeTransforms(layout, Split.TRAIN, camera, sequence.subList(0, trainCount));
        writeTransforms(layout, Split.VAL, camera, sequence.subList(trainCount, sequence.size()));
        try {
            DatasetReader.read(layout.root());
        } catch (RuntimeException e) {
            Files.deleteIfExists(layout.transforms(Split.TRAIN));
            Files.deleteIfExists(layout.transforms(Split.VAL));
            throw e;
        }
        AtomicFiles.write(layout.root().resolve(DatasetLayout.COMPLETE_MARKER), ("frames " + sequence.size()
                + "\ntrain " + trainCount + "\nval " + (sequence.size() - trainCount) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        return DatasetReader.read(layout.root());
    }

    private static void writeTransforms(DatasetLayout layout, Split split, CameraIntrinsics camera,
                                        List<FramePose> frames) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        if (camera.focalX() == camera.focalY()) {
            json.put("focal_len", camera.focalX());
        } else {
            json.put("fl_x", camera.focalX());
            json.put("fl_y", camera.focalY());
        }
        json.put("cx", camera.cx());
        json.put("cy", camera.cy());
        // provider.py takes the size from w/h when present, else from 2*int(cx): exact for odd sizes too.
        json.put("w", (long) camera.width());
        json.put("h", (long) camera.height());
        List<Object> list = new ArrayList<>();
        for (FramePose f : frames) {
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("img_id", (long) f.imageId());
            frame.put("aud_id", (long) f.audioId());
            List<Object> rows = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                List<Object> row = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    row.add(f.matrix(r, c));
                }
                rows.add(row);
            }
            frame.put("transform_matrix", rows);
            list.add(frame);
        }
        json.put("frames", list);
        AtomicFiles.write(layout.transforms(split), Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes the partial folder unless {@link #commit} succeeded. */
    @Override
    public void close() throws IOException {
        if (committed || !Files.exists(staging)) {
            return;
        }
        try (Stream<Path> files = Files.walk(staging)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
