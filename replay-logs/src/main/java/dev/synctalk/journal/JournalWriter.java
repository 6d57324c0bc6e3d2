package dev.synctalk.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends the records of one journaled edge to {@code <runDir>/journals/<edge>/}. Each append is one Chronicle
 * document, committed when its length word is written; a process killed mid-append leaves that document
 * incomplete, which readers skip and the next writer overwrites, so every earlier record stays readable.
 * Frame indices must not decrease, which makes the last record the highest index (what resume needs).
 * Thread-safe: actors may call it from different pool threads, one message at a time or not.
 */
public final class JournalWriter implements AutoCloseable {

    private final Path folder;
    private final JournalKey key;
    private final PayloadCodecs codecs;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private long lastIndex;
    private long count;
    private boolean closed;

    private JournalWriter(Path folder, JournalKey key, PayloadCodecs codecs, SingleChronicleQueue queue) {
        this.folder = folder;
        this.key = key;
        this.codecs = codecs;
        this.queue = queue;
        this.appender = queue.createAppender();
        // Pekko runs an actor on whichever pool thread is free; calls are serialised by this object's lock instead.
        this.appender.singleThreadedCheckDisabled(true);
        this.lastIndex = JournalFolder.lastFrameIndex(queue, folder);
        this.count = JournalFolder.guarded(folder, "the queue index", queue::entryCount);
    }

    /** Opens the journal of {@code key.edgeId()}, creating it, or continuing it after earlier sessions. */
    public static JournalWriter open(Path runDir, JournalKey key, PayloadCodecs codecs) {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codecs, "codecs");
        Path folder = JournalFolder.of(runDir, key.edgeId());
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create journal folder " + folder, e);
        }
        Properties descriptor = JournalFolder.readDescriptor(folder);
        if (descriptor == null) {
            JournalFolder.writeDescriptor(folder, key, Instant.now());
        } else {
            requireSameEdge(folder, descriptor, key);
        }
        JournalFolder.checkQueueFiles(folder);
        SingleChronicleQueue queue = JournalFolder.openQueue(folder, false);
        try {
            return new JournalWriter(folder, key, codecs, queue);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    private static void requireSameEdge(Path folder, Properties descriptor, JournalKey key) {
        JournalKey recorded = new JournalKey(
                descriptor.getProperty("runId", "?"), descriptor.getProperty("edgeId", "?"),
                descriptor.getProperty("stage", "?"), descriptor.getProperty("port", "?"));
        if (!recorded.equals(key)) {
            throw new IllegalStateException("journal " + folder + " belongs to " + recorded + ", not to " + key);
        }
    }

    /**
     * Journals {@code payload} under {@code frameIndex}; its codec is {@code codecs.forType(payload.getClass())}.
     * @return the bytes the record took, for metrics
     */
    public synchronized int append(long frameIndex, Object payload) {
        Objects.requireNonNull(payload, "payload");
        if (closed) {
            throw new IllegalStateException("journal " + folder + " is closed");
        }
        if (frameIndex < 0) {
            throw new IllegalArgumentException("frame index " + frameIndex + " is negative (edge " + key.edgeId() + ")");
        }
        if (frameIndex < lastIndex) {
            throw new IllegalArgumentException("frame index " + frameIndex + " on edge " + key.edgeId()
                    + " comes after frame " + lastIndex + "; journaled frame indices must not decrease");
        }
        PayloadCodec<?> codec = codecs.forType(payload.getClass());
        byte[] record = RecordFormat.encode(new JournalRecord(JournalRecord.SCHEMA_VERSION, key.runId(), key.stage(),
                key.port(), frameIndex, codec.typeName(), encode(codec, frameIndex, payload)));
        if (record.length > JournalFolder.MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("frame " + frameIndex + " on edge " + key.edgeId() + " encodes to "
                    + record.length + " bytes; one journal record holds at most " + JournalFolder.MAX_RECORD_BYTES);
        }
        try (DocumentContext document = appender.writingDocument()) {
            try {
                document.wire().bytes().write(record);
            } catch (RuntimeException e) {
                document.rollbackOnClose();
                throw e;
            }
        }
        lastIndex = frameIndex;
        count++;
        return record.length;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private byte[] encode(PayloadCodec codec, long frameIndex, Object payload) {
        try {
            return Objects.requireNonNull(codec.encode(payload), "codec returned null");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("codec " + codec.typeName() + " failed to encode frame " + frameIndex
                    + " on edge " + key.edgeId() + ": " + e.getMessage(), e);
        }
    }

    /** Highest frame index in the journal, earlier sessions included; -1 when it is empty. */
    public synchronized long lastIndex() {
        return lastIndex;
    }

    /** Records in the journal, earlier sessions included. */
    public synchronized long count() {
        return count;
    }

    public Path folder() {
        return folder;
    }

    public JournalKey key() {
        return key;
    }

    /** Releases the appender and the memory-mapped files; the folder can be reopened in this JVM afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            appender.close();
        } finally {
            queue.close();
        }
    }
}
