import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies the runtime jars into the distribution's lib/ as contents.txt says: some jars dropped, some
 * cut to the native entries the stages load, every jar rewritten uncompressed (STORED) so that xz sees
 * raw bytes. Run as a single-file program by assemble.sh:
 * {@code java TrimJars.java CONTENTS_FILE SOURCE_LIB_DIR TARGET_LIB_DIR}.
 */
public final class TrimJars {

    private record Rule(PathMatcher jar, List<PathMatcher> keptEntries) {
        boolean drops() {
            return keptEntries == null;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: java TrimJars.java CONTENTS_FILE SOURCE_LIB_DIR TARGET_LIB_DIR");
            System.exit(64);
        }
        List<Rule> rules = readRules(Path.of(args[0]));
        Path source = Path.of(args[1]);
        Path target = Path.of(args[2]);
        Files.createDirectories(target);
        List<Path> jars;
        try (var listing = Files.list(source)) {
            jars = listing.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        int shipped = 0;
        int dropped = 0;
        for (Path jar : jars) {
            Path name = jar.getFileName();
            Rule rule = rules.stream().filter(r -> r.jar().matches(name)).findFirst().orElse(null);
            if (rule != null && rule.drops()) {
                dropped++;
                continue;
            }
            copyStored(jar, target.resolve(name), rule);
            shipped++;
        }
        System.out.printf("lib/: %d jars shipped, %d dropped%n", shipped, dropped);
    }

    private static List<Rule> readRules(Path file) throws IOException {
        List<Rule> rules = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file)) {
            lineNumber++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] words = text.split("\\s+");
            switch (words[0]) {
                case "drop" -> {
                    for (int i = 1; i < words.length; i++) {
                        rules.add(new Rule(glob(words[i]), null));
                    }
                }
                case "only" -> {
                    if (words.length < 3) {
                        throw new IllegalArgumentException(file + ":" + lineNumber + ": 'only' needs a jar and entries");
                    }
                    List<PathMatcher> entries = new ArrayList<>();
                    for (int i = 2; i < words.length; i++) {
                        entries.add(glob(words[i]));
                    }
                    rules.add(new Rule(glob(words[1]), entries));
                }
                default -> throw new IllegalArgumentException(file + ":" + lineNumber + ": unknown rule " + words[0]);
            }
        }
        return rules;
    }

    private static PathMatcher glob(String pattern) {
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    }

    private static boolean keeps(Rule rule, String entry, boolean[] patternUsed) {
        if (rule == null || entry.startsWith("META-INF/") || entry.endsWith("/")) {
            return true;
        }
        Path path = Path.of(entry);
        boolean kept = false;
        for (int i = 0; i < rule.keptEntries().size(); i++) {
            if (rule.keptEntries().get(i).matches(path)) {
                patternUsed[i] = true;
                kept = true;
            }
        }
        return kept;
    }

    private static void copyStored(Path from, Path to, Rule rule) throws IOException {
        boolean[] patternUsed = new boolean[rule == null ? 0 : rule.keptEntries().size()];
        try (ZipFile in = new ZipFile(from.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
            out.setMethod(ZipOutputStream.STORED);
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (!keeps(rule, entry.getName(), patternUsed)) {
                    continue;
                }
                byte[] bytes;
                try (InputStream data = in.getInputStream(entry)) {
                    bytes = data.readAllBytes();
                }
                CRC32 crc = new CRC32();
                crc.update(bytes);
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(bytes.length);
                copy.setCompressedSize(bytes.length);
                copy.setCrc(crc.getValue());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        // A pattern that matches nothing means the dependency changed under contents.txt (a new
        // library version renames its .so files): fail rather than ship a tree that cannot load.
        for (int i = 0; i < patternUsed.length; i++) {
            if (!patternUsed[i]) {
                throw new IllegalStateException(from.getFileName() + " has no entry matching pattern " + (i + 1)
                        + " of its 'only' rule in contents.txt: update the rule for this version");
            }
        }
    }
}
