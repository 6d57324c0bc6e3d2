package dev.synctalk.engine.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The lock a process holds on {@code run.lock} while it runs a run. The operating system releases it when the
 * process ends, however it ends (SIGKILL, a crash, a power cut), so a RUNNING run whose lock is free is dead,
 * not running. The file also names the holder (pid, host, since) for messages.
 */
public final class RunLock implements AutoCloseable {

    /** Who holds (or last held) a run's lock. */
    public record Holder(long pid, String host, Instant since) {
        @Override
        public String toString() {
            return "process " + pid + (host.isEmpty() ? "" : " on " + host) + " since " + since;
        }
    }

    private static final int ATTEMPTS = 10;
    private static final long RETRY_MILLIS = 20;

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the run's lock for this process.
     *
     * @throws IllegalStateException when another process (or another run in this one) holds it
     */
    public static RunLock acquire(RunDirectory dir) {
        Path file = dir.lockFile();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = null;
            // a `status` elsewhere may hold the lock for a moment while it probes
            for (int attempt = 0; attempt < ATTEMPTS && lock == null; attempt++) {
                lock = tryLock(channel);
                if (lock == null) {
                    Thread.sleep(RETRY_MILLIS);
                }
            }
            if (lock == null) {
                String holder = readHolder(file).map(Holder::toString).orElse("another process");
                throw new IllegalStateException("run '" + dir.runId() + "' is running in " + holder
                        + "; wait for it to end or stop it first");
            }
            Holder me = new Holder(ProcessHandle.current().pid(), hostName(), Instant.now());
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((me.pid() + "\n" + me.host() + "\n" + me.since() + "\n")
                    .getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            closeQuietly(channel);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while locking " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The process running the run now, or empty when none is (it ended, or the run never had a lock file). */
    public static Optional<Holder> liveHolder(RunDirectory dir) {
        Path file = dir.lockFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = tryLock(channel);
            if (probe != null) {
                probe.release();
                return Optional.empty();
            }
        } catch (IOException e) {
            // unreadable lock file: fall back to the recorded pid
            return readHolder(file).filter(h -> ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false));
        }
        return Optional.of(readHolder(file).orElse(new Holder(-1, "", Instant.EPOCH)));
    }

    /** The holder recorded in the lock file, live or not. */
    public static Optional<Holder> lastHolder(RunDirectory dir) {
        return readHolder(dir.lockFile());
    }

    /** null when another process holds the lock; this JVM holding it counts as held too. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    private static Optional<Holder> readHolder(Path file) {
        try {
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
            if (lines.length < 3) {
                return Optional.empty();
            }
            return Optional.of(new Holder(Long.parseLong(lines[0].trim()), lines[1].trim(), Instant.parse(lines[2].trim())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** From the environment: resolving the host name can stall for seconds on machines without DNS. */
    private static String hostName() {
        return System.getenv().getOrDefault("HOSTNAME", "");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held yet
            }
        }
    }

    /** Releases the lock; the file stays and names the last holder. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + lock, e);
        }
    }
}
