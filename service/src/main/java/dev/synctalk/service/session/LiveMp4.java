package dev.synctalk.service.session;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A session's live fragmented MP4 for any number of players. The bytes the encoder writes are split into
 * top-level MP4 boxes; ftyp + moov are the initialisation segment, kept for everyone; a player that joins
 * late gets that, then the stream from the next fragment (moof), so every player receives a playable file.
 */
public final class LiveMp4 {
    private static final byte[] INIT_MARKER = new byte[0];

    private final int viewerCapacity;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteArrayOutputStream init = new ByteArrayOutputStream();
    private boolean initDone;
    private final List<Viewer> viewers = new ArrayList<>();
    private boolean closed;

    private static final class Viewer {
        final ClientQueue<byte[]> queue;
        boolean hasInit;
        boolean synced;

        Viewer(ClientQueue<byte[]> queue) {
            this.queue = queue;
        }
    }

    /** @param viewerCapacity MP4 pieces a player may have waiting before a live session cuts it off */
    public LiveMp4(int viewerCapacity) {
        this.viewerCapacity = viewerCapacity;
    }

    /**
     * A new player's queue. {@code primary} (the uploader of a file) is waited for (the session slows down
     * for it); others are cut off when they fall {@code viewerCapacity} pieces behind.
     */
    public synchronized ClientQueue<byte[]> join(boolean primary, long stallMillis) throws InterruptedException {
        ClientQueue<byte[]> q = new ClientQueue<>(viewerCapacity, primary ? ClientQueue.Policy.BLOCK
                : ClientQueue.Policy.DISCONNECT, stallMillis, b -> b.length);
        Viewer v = new Viewer(q);
        if (initDone) {
            q.put(init.toByteArray());
            v.hasInit = true;
        }
        if (closed) {
            q.close();
        } else {
            viewers.add(v);
        }
        return q;
    }

    /** Encoder output, in order. May block for a primary viewer. */
    public void append(byte[] bytes) throws InterruptedException {
        if (bytes == null || bytes.length == 0) {
            return;
        }
        List<byte[]> boxes = new ArrayList<>();
        List<Viewer> targets;
        byte[] initBytes;
        synchronized (this) {
            pending.write(bytes, 0, bytes.length);
            byte[] all = pending.toByteArray();
            int at = 0;
            while (all.length - at >= 8) {
                long size = ((all[at] & 0xffL) << 24) | ((all[at + 1] & 0xff) << 16) | ((all[at + 2] & 0xff) << 8)
                        | (all[at + 3] & 0xff);
                if (size < 8) {
                    throw new IllegalStateException("live MP4: box of size " + size + " (64-bit boxes are not expected)");
                }
                if (all.length - at < size) {
                    break;
                }
                byte[] box = Arrays.copyOfRange(all, at, at + (int) size);
                at += (int) size;
                if (!initDone && (isType(box, "ftyp") || isType(box, "moov"))) {
                    init.write(box, 0, box.length);
                    if (isType(box, "moov")) {
                        initDone = true;
                        boxes.add(INIT_MARKER);
                    }
                    continue;
                }
                boxes.add(box);
            }
            pending.reset();
            pending.write(all, at, all.length - at);
            targets = List.copyOf(viewers);
            initBytes = init.toByteArray();
        }
        for (byte[] box : boxes) {
            for (Viewer v : targets) {
                if (box == INIT_MARKER) {
                    if (!v.hasInit) {
                        v.hasInit = true;
                        v.queue.put(initBytes);
                    }
                    continue;
                }
                if (!v.hasInit) {
                    continue;
                }
                if (!v.synced && isType(box, "moof")) {
                    v.synced = true;
                }
                if (v.synced) {
                    v.queue.put(box);
                }
            }
        }
    }

    private static boolean isType(byte[] box, String type) {
        return box.length >= 8 && new String(box, 4, 4, StandardCharsets.US_ASCII).equals(type);
    }

    /** The session ended: players get what is queued, then the end of the file. */
    public synchronized void close() {
        closed = true;
        for (Viewer v : viewers) {
            v.queue.close();
        }
        viewers.clear();
    }

    /** A player went away. */
    public synchronized void leave(ClientQueue<byte[]> queue) {
        viewers.removeIf(v -> v.queue == queue);
        queue.cancel();
    }
}
