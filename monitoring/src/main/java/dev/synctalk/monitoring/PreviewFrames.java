package dev.synctalk.monitoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/** The latest preview image per name (validation renders, training samples), as PNG bytes. */
public final class PreviewFrames {

    /** Names end up in URLs ({@code /preview/<name>.png}), so they are kept to URL-safe characters. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private record Frame(byte[] png, long version) {}

    private final ConcurrentSkipListMap<String, Frame> frames = new ConcurrentSkipListMap<>();
    private final AtomicLong versions = new AtomicLong();

    public void put(String name, byte[] png) {
        Objects.requireNonNull(name, "preview name");
        Objects.requireNonNull(png, "preview bytes");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("preview name '" + name
                    + "' must be 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (png.length < PNG_SIGNATURE.length
                || !Arrays.equals(png, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
            throw new IllegalArgumentException("preview '" + name + "' is not a PNG image (no PNG signature in its "
                    + png.length + " bytes)");
        }
        frames.put(name, new Frame(png.clone(), versions.incrementAndGet()));
    }

    public Optional<byte[]> get(String name) {
        Frame frame = frames.get(name);
        return frame == null ? Optional.empty() : Optional.of(frame.png().clone());
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(frames.keySet()));
    }

    List<Snapshot.Preview> snapshot() {
        List<Snapshot.Preview> previews = new ArrayList<>();
        frames.forEach((name, f) -> previews.add(new Snapshot.Preview(name, f.version(), f.png().length)));
        return previews;
    }
}
