package dev.synctalk.gpu.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a shared library file by name in the directories the dynamic linker would search on Linux:
 * LD_LIBRARY_PATH, the directories of /etc/ld.so.conf (and its includes), the default system
 * directories and the CUDA toolkit's lib64. Used to decide between cuDNN 8 and the cuDNN 9 shim
 * before anything native is loaded.
 */
public final class NativeLibraryLocator {

    private static final List<String> DEFAULT_DIRECTORIES = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/cuda/lib64",
            "/usr/local/cuda/targets/x86_64-linux/lib");

    private final List<Path> directories;

    public NativeLibraryLocator(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    /** The linker's search directories on this machine, in search order, existing ones only. */
    public static NativeLibraryLocator system() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ldLibraryPath = System.getenv("LD_LIBRARY_PATH");
        if (ldLibraryPath != null) {
            for (String entry : ldLibraryPath.split(":")) {
                if (!entry.isBlank()) {
                    dirs.add(Path.of(entry));
                }
            }
        }
        readLdSoConf(Path.of("/etc/ld.so.conf"), dirs, 0);
        DEFAULT_DIRECTORIES.forEach(d -> dirs.add(Path.of(d)));
        return new NativeLibraryLocator(dirs.stream().filter(Files::isDirectory).toList());
    }

    public List<Path> directories() {
        return directories;
    }

    public Optional<Path> find(String fileName) {
        for (Path dir : directories) {
            Path candidate = dir.resolve(fileName);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void readLdSoConf(Path file, Set<Path> dirs, int depth) {
        if (depth > 4 || !Files.isRegularFile(file)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException unreadable) {
            return; // an unreadable linker config only narrows the search
        }
        for (String raw : lines) {
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("include ")) {
                for (Path included : glob(line.substring("include ".length()).trim(), file.getParent())) {
                    readLdSoConf(included, dirs, depth + 1);
                }
            } else if (line.startsWith("/")) {
                dirs.add(Path.of(line));
            }
        }
    }

    private static List<Path> glob(String pattern, Path relativeTo) {
        Path full = pattern.startsWith("/") ? Path.of(pattern) : relativeTo.resolve(pattern);
        Path dir = full.getParent();
        List<Path> matches = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return matches;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, full.getFileName().toString())) {
            stream.forEach(matches::add);
        } catch (IOException | RuntimeException unreadable) {
            return matches;
        }
        matches.sort(null);
        return matches;
    }
}
