package dev.synctalk.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the sample media and models live (hdtf_aoc.mp4, test.wav, models/face_landmarker.task, ...):
 * the one place that looks them up, for the demo, the doctor and the tests. The folder is, first found:
 * <ol>
 *   <li>{@code $SYNCTALK_SAMPLES} (a user's own copy; also how a clone without {@code ../shared} finds it),</li>
 *   <li>{@code -Dsynctalk.shared.dir}/data (the build sets it to {@code <repo>/../shared} for the tests),</li>
 *   <li>{@code ../shared/data} from the working directory (a worktree beside {@code shared/}),</li>
 *   <li>{@code ../shared/data} from {@code -Dsynctalk.home} (the launcher's install folder).</li>
 * </ol>
 * A folder counts when it exists; a file is found in the first such folder that holds it.
 */
public final class SampleData {

    public static final String ENVIRONMENT_VARIABLE = "SYNCTALK_SAMPLES";
    public static final String SHARED_DIR_PROPERTY = "synctalk.shared.dir";
    public static final String HOME_PROPERTY = "synctalk.home";

    /** The talking-head clip the demo and the tests preprocess (8 s, 512x512, with its own speech). */
    public static final String VIDEO = "hdtf_aoc.mp4";
    /** Speech the demo drives a trained head with. */
    public static final String SPEECH = "test.wav";
    /** MediaPipe's face landmarker bundle (detector, 478 landmarks, blendshapes). */
    public static final String FACE_LANDMARKER = "models/face_landmarker.task";
    /** AlexNet-LPIPS weights, optional: training falls back to MSE without them. */
    public static final String LPIPS_WEIGHTS = "models/lpips_alex.stnt";

    private final List<Path> candidates;

    SampleData(List<Path> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /** The locator for this process: environment, system properties and working directory. */
    public static SampleData locate() {
        return locate(System.getenv(), System.getProperties(), Path.of(""));
    }

    static SampleData locate(Map<String, String> environment, Properties properties, Path workingDirectory) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            dirs.add(Path.of(fromEnvironment));
        }
        String shared = properties.getProperty(SHARED_DIR_PROPERTY);
        if (shared != null && !shared.isBlank()) {
            dirs.add(Path.of(shared, "data"));
        }
        dirs.add(workingDirectory.resolve("../shared/data"));
        String home = properties.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            dirs.add(Path.of(home).resolve("../shared/data"));
        }
        List<Path> normalised = new ArrayList<>();
        for (Path dir : dirs) {
            Path absolute = dir.toAbsolutePath().normalize();
            if (!normalised.contains(absolute)) {
                normalised.add(absolute);
            }
        }
        return new SampleData(normalised);
    }

    /** The folders looked in, in order. */
    public List<Path> searched() {
        return candidates;
    }

    /** The first folder that exists. */
    public Optional<Path> directory() {
        return candidates.stream().filter(Files::isDirectory).findFirst();
    }

    /** {@code relative} (e.g. {@code models/face_landmarker.task}) in the first folder that holds it. */
    public Optional<Path> find(String relative) {
        return candidates.stream().map(dir -> dir.resolve(relative)).filter(Files::isRegularFile).findFirst();
    }

    /** {@code relative}, or an exception saying which file is needed, where it was looked for and what to do. */
    public Path require(String relative) {
        return find(relative).orElseThrow(() -> new SampleDataMissingException(missing(relative)));
    }

    /** The message {@link #require} throws with, for callers that report rather than throw. */
    public String missing(String relative) {
        return "sample file " + relative + " not found in " + candidates
                + "; set " + ENVIRONMENT_VARIABLE + " to the folder that holds " + VIDEO + ", " + SPEECH + " and models/";
    }

    /** A sample file that is needed and absent. */
    public static final class SampleDataMissingException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        SampleDataMissingException(String message) {
            super(message);
        }
    }
}
