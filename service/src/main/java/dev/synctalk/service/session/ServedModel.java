package dev.synctalk.service.session;

import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.training.AudioFeatureKind;
import dev.synctalk.training.HeadModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A trained head the service offers: its checkpoint, the dataset whose poses and backgrounds it replays,
 * portrait or torso, and where it renders ({@code cpu} or {@code gpu:N}). Checked when the service
 * starts, so a session never fails on a missing file.
 *
 * @param name   what clients ask for; letters, digits, '-', '_' and '.' only
 * @param torso  torso.ckpt, or null
 * @param device {@code cpu} or {@code gpu:N}: where the head-render stage runs
 */
public record ServedModel(String name, Path model, Path dataset, boolean portrait, Path torso, String split,
                          String device, int width, int height) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");

    /**
     * Parses {@code NAME=CKPT,dataset=DIR[,portrait=true][,torso=CKPT][,split=val][,device=gpu:0]} and checks
     * the files.
     */
    public static ServedModel parse(String spec) throws IOException {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("model '" + spec + "': expected NAME=head.ckpt,dataset=DIR[,portrait=true]"
                    + "[,torso=torso.ckpt][,split=val][,device=gpu:0]");
        }
        String name = spec.substring(0, eq);
        String[] parts = spec.substring(eq + 1).split(",");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int e = parts[i].indexOf('=');
            if (e <= 0) {
                throw new IllegalArgumentException("model '" + name + "': option '" + parts[i] + "' is not KEY=VALUE");
            }
            options.put(parts[i].substring(0, e).strip(), parts[i].substring(e + 1).strip());
        }
        for (String key : options.keySet()) {
            if (!java.util.Set.of("dataset", "portrait", "torso", "split", "device").contains(key)) {
                throw new IllegalArgumentException("model '" + name + "': unknown option '" + key
                        + "' (known: dataset, portrait, torso, split, device)");
            }
        }
        if (!options.containsKey("dataset")) {
            throw new IllegalArgumentException("model '" + name + "': dataset=DIR is required (the dataset the head was"
                    + " trained on: its poses and backgrounds are replayed)");
        }
        return open(name, Path.of(parts[0].strip()), Path.of(options.get("dataset")),
                Boolean.parseBoolean(options.getOrDefault("portrait", "false")),
                options.containsKey("torso") ? Path.of(options.get("torso")) : null,
                options.getOrDefault("split", "val"), options.getOrDefault("device", "cpu"));
    }

    /** Checks the files and reads the frame size; errors name the file. */
    public static ServedModel open(String name, Path model, Path dataset, boolean portrait, Path torso, String split,
                                   String device) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "': use letters, digits, '-', '_' and '.'");
        }
        if (!Files.isRegularFile(model)) {
            throw new IOException("model '" + name + "': " + model.toAbsolutePath() + " is missing (train.conf writes"
                    + " runs/<run>/outputs/head.ckpt)");
        }
        HeadModelSpec spec = HeadModelSpec.read(model.resolveSibling(HeadModelSpec.FILE_NAME));
        if (spec.audioFeatures() != AudioFeatureKind.MEL) {
            throw new IllegalArgumentException("model '" + name + "': " + model + " is driven by " + spec.audioFeatures()
                    + " features, which need the whole audio first; live sessions need a head trained with"
                    + " audio-features = mel");
        }
        if (portrait && torso != null) {
            throw new IllegalArgumentException("model '" + name + "': portrait and torso are alternatives; set one");
        }
        if (torso != null && !Files.isRegularFile(torso)) {
            throw new IOException("model '" + name + "': torso " + torso.toAbsolutePath() + " is missing");
        }
        if (!device.equals("cpu") && !device.matches("gpu:[0-7]")) {
            throw new IllegalArgumentException("model '" + name + "': device '" + device + "' is neither cpu nor gpu:N");
        }
        SyncTalkDataset d = DatasetReader.read(dataset);
        return new ServedModel(name, model.toAbsolutePath(), dataset.toAbsolutePath(), portrait,
                torso == null ? null : torso.toAbsolutePath(), split, device, d.camera().width(), d.camera().height());
    }

    /** The graph overrides of stream.conf (and session-replay.conf) that select this model. */
    public Map<String, String> graphOverrides() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("model", model.toString());
        o.put("dataset", dataset.toString());
        o.put("portrait", Boolean.toString(portrait));
        o.put("split", split);
        if (torso != null) {
            o.put("torso", torso.toString());
        }
        if (!device.equals("cpu")) {
            o.put("graph.stages.render.device", device);
        }
        return o;
    }
}
