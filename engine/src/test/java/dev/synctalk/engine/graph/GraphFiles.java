package dev.synctalk.engine.graph;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Loads the graphs under src/test/resources/graphs and checks reported errors. */
final class GraphFiles {
    private GraphFiles() {
    }

    static Path path(String name) {
        URL url = GraphFiles.class.getResource("/graphs/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test graph " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static GraphDefinition load(String name) {
        return GraphLoader.load(path(name), Map.of());
    }

    /** Loads and validates a graph that must be invalid. */
    static GraphValidationException invalid(String name) {
        GraphDefinition g = load(name);
        return assertThrows(GraphValidationException.class, () -> new GraphValidator(TestStages.registry()).validate(g));
    }

    /**
     * Asserts that one reported error sits at exactly {@code fileAndLine} (e.g. {@code cycle.conf:7})
     * and its text contains every fragment. The file is matched as the end of the path.
     */
    static ValidationError assertReported(GraphValidationException e, String fileAndLine, String... fragments) {
        return assertReported(e.errors(), fileAndLine, fragments);
    }

    static ValidationError assertReported(List<ValidationError> errors, String fileAndLine, String... fragments) {
        for (ValidationError error : errors) {
            String text = error.toString();
            boolean atLine = text.contains("/" + fileAndLine + ": ") || text.startsWith(fileAndLine + ": ");
            if (atLine && Arrays.stream(fragments).allMatch(text::contains)) {
                return error;
            }
        }
        return fail("no error at " + fileAndLine + " containing " + Arrays.toString(fragments) + "; reported:\n  "
                + String.join("\n  ", errors.stream().map(ValidationError::toString).toList()));
    }
}
