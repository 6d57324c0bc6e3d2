package dev.synctalk.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synctalk.samples.SampleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The real sample media (found by {@link SampleData}), and helpers to compare run outputs. */
final class SampleMedia {
    private SampleMedia() {
    }

    static Path repo() {
        return Path.of(System.getProperty("synctalk.repo.dir", "..")).toAbsolutePath().normalize();
    }

    /** A sample file (located by {@link SampleData}), or a skipped test when the sample data is not there. */
    static Path data(String file) {
        SampleData samples = SampleData.locate();
        Optional<Path> found = samples.find(file);
        assumeTrue(found.isPresent(), () -> samples.missing(file));
        return found.get();
    }

    static Path graph(String name) {
        return repo().resolve("graph-definitions").resolve(name);
    }

    /** Relative path -> bytes of every file under {@code dir}. */
    static Map<String, byte[]> files(Path dir) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<String> jvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")) {
                flags.add(a);
            }
        }
        return flags;
    }

    static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
