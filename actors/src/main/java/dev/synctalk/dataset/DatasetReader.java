package dev.synctalk.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a SyncTalk dataset folder: ours, or one written by the Python preprocessing. Checks up front
 * that every file training needs is there (gt_imgs/N.jpg, torso_imgs/N.png, ori_imgs/N.lms, bc.jpg,
 * aud.wav, bs.npy with a row per img_id) and fails naming what is missing or malformed.
 */
public final class DatasetReader {
    private static final int MISSING_LISTED = 5;

    private DatasetReader() {
    }

    public static SyncTalkDataset read(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("dataset folder " + root + " does not exist");
        }
        DatasetLayout layout = new DatasetLayout(root);
        if (Files.exists(root.resolve(DatasetLayout.INCOMPLETE_MARKER))) {
            throw new DatasetException("dataset " + root + " is incomplete: its writer did not finish ("
                    + DatasetLayout.INCOMPLETE_MARKER + " is present)");
        }
        Map<String, Object> trainJson = readTransforms(layout.transforms(Split.TRAIN));
        Map<String, Object> valJson = readTransforms(layout.transforms(Split.VAL));
        CameraIntrinsics camera = camera(trainJson, layout.transforms(Split.TRAIN));
        List<FramePose> train = frames(trainJson, layout.transforms(Split.TRAIN));
        List<FramePose> val = frames(valJson, layout.transforms(Split.VAL));

        List<Path> missing = new ArrayList<>();
        for (Path p : List.of(layout.background(), layout.audio(), layout.blendshapes())) {
            if (!Files.isRegularFile(p)) {
                missing.add(p);
            }
        }
        int maxImageId = -1;
        for (List<FramePose> split : List.of(train, val)) {
            for (FramePose f : split) {
                maxImageId = Math.max(maxImageId, f.imageId());
                for (Path p : List.of(layout.groundTruth(f.imageId()), layout.torso(f.imageId()),
                        layout.landmarks(f.imageId()))) {
                    if (!Files.isRegularFile(p)) {
                        missing.add(p);
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < Math.min(MISSING_LISTED, missing.size()); i++) {
                names.append(i == 0 ? "" : ", ").append(root.relativize(missing.get(i)));
            }
            throw new DatasetException("dataset " + root + " is missing " + missing.size() + " file(s): " + names
                    + (missing.size() > MISSING_LISTED ? ", ..." : ""));
        }
        NpyArray blendshapes;
        try {
            blendshapes = NpyArray.read(layout.blendshapes());
        } catch (IOException e) {
            throw new DatasetException("cannot read " + layout.blendshapes() + ": " + e.getMessage(), e);
        }
        int[] shape = blendshapes.shape();
        if (shape.length != 2 || shape[1] < SyncTalkDataset.BLENDSHAPE_COUNT) {
            throw new DatasetException(layout.blendshapes() + " must be [N, " + SyncTalkDataset.BLENDSHAPE_COUNT
                    + "], has shape " + java.util.Arrays.toString(shape));
        }
        if (shape[0] <= maxImageId) {
            throw new DatasetException(layout.blendshapes() + " has " + shape[0] + " rows but the transforms use img_id "
                    + maxImageId);
        }
        return new SyncTalkDataset(root, camera, train, val, blendshapes);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readTransforms(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("dataset file " + file + " is missing");
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (Json.ParseException e) {
            throw new DatasetException("malformed JSON in " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map)) {
            throw new DatasetException(file + ": expected a JSON object at the top level");
        }
        return (Map<String, Object>) parsed;
    }

    /** Focal length and principal point with the same precedence as provider.py. */
    static CameraIntrinsics camera(Map<String, Object> json, Path file) {
        int width;
        int height;
        if (json.containsKey("w") && json.containsKey("h")) {
            width = (int) number(json, "w", file);
            height = (int) number(json, "h", file);
        } else if (json.containsKey("cx") && json.containsKey("cy")) {
            width = (int) number(json, "cx", file) * 2;
            height = (int) number(json, "cy", file) * 2;
        } else {
            throw new DatasetException(file + ": no image size: needs keys 'w' and 'h', or 'cx' and 'cy'");
        }
        double fx;
        double fy;
        if (json.containsKey("focal_len")) {
            fx = fy = number(json, "focal_len", file);
        } else if (json.containsKey("fl_x") || json.containsKey("fl_y")) {
            fx = number(json, json.containsKey("fl_x") ? "fl_x" : "fl_y", file);
            fy = number(json, json.containsKey("fl_y") ? "fl_y" : "fl_x", file);
        } else if (json.containsKey("camera_angle_x") || json.containsKey("camera_angle_y")) {
            Double ax = json.containsKey("camera_angle_x")
                    ? width / (2 * Math.tan(number(json, "camera_angle_x", file) / 2)) : null;
            Double ay = json.containsKey("camera_angle_y")
                    ? height / (2 * Math.tan(number(json, "camera_angle_y", file) / 2)) : null;
            fx = ax != null ? ax : ay;
            fy = ay != null ? ay : ax;
        } else {
            throw new DatasetException(file + ": no focal length: needs 'focal_len', 'fl_x'/'fl_y' or 'camera_angle_x'");
        }
        double cx = json.containsKey("cx") ? number(json, "cx", file) : width / 2.0;
        double cy = json.containsKey("cy") ? number(json, "cy", file) : height / 2.0;
        try {
            return new CameraIntrinsics(fx, fy, cx, cy, width, height);
        } catch (IllegalArgumentException e) {
            throw new DatasetException(file + ": " + e.getMessage(), e);
        }
    }

    private static List<FramePose> frames(Map<String, Object> json, Path file) {
        if (!(json.get("frames") instanceof List<?> list)) {
            throw new DatasetException(file + ": key 'frames' is " + (json.containsKey("frames") ? "not a list" : "missing"));
        }
        List<FramePose> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String where = "frames[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> frame)) {
                throw new DatasetException(file + ": " + where + " is not an object");
            }
            int imageId = integer(frame, "img_id", file, where);
            // aud_id names the audio feature row; datasets without it speak frame by frame.
            int audioId = frame.containsKey("aud_id") ? integer(frame, "aud_id", file, where) : imageId;
            out.add(new FramePose(imageId, audioId, matrix(frame.get("transform_matrix"), file, where)));
        }
        return out;
    }

    private static double[] matrix(Object value, Path file, String where) {
        String bad = file + ": " + where + ".transform_matrix must be a 4x4 array of numbers";
        if (!(value instanceof List<?> rows) || rows.size() != 4) {
            throw new DatasetException(value == null ? file + ": " + where + " has no 'transform_matrix'" : bad);
        }
        double[] out = new double[16];
        for (int r = 0; r < 4; r++) {
            if (!(rows.get(r) instanceof List<?> row) || row.size() != 4) {
                throw new DatasetException(bad);
            }
            for (int c = 0; c < 4; c++) {
                if (!(row.get(c) instanceof Number n)) {
                    throw new DatasetException(bad);
                }
                out[r * 4 + c] = n.doubleValue();
            }
        }
        return out;
    }

    private static double number(Map<?, ?> json, String key, Path file) {
        if (!(json.get(key) instanceof Number n)) {
            throw new DatasetException(file + ": key '" + key + "' must be a number, got " + json.get(key));
        }
        return n.doubleValue();
    }

    private static int integer(Map<?, ?> json, String key, Path file, String where) {
        Object v = json.get(key);
        if (v == null) {
            throw new DatasetException(file + ": " + where + " has no '" + key + "'");
        }
        if (v instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        if (v instanceof Double d && d == Math.rint(d) && d >= 0 && d <= Integer.MAX_VALUE) {
            return (int) (double) d;
        }
        throw new DatasetException(file + ": " + where + "." + key + " must be a non-negative integer, got " + v);
    }
}
