package dev.synctalk.parsing;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One frame after the per-frame part of face parsing: the frame kept losslessly on disk until its torso and
 * ground-truth images are written (they need the background, which needs the whole video), its face oval,
 * and its parsing image when the person segmentation network made it (null on the classical path, whose
 * person mask needs the background).
 *
 * @param frameFile  the frame as a lossless PNG, deleted once its images are written
 * @param parsingFile parsing/N.png (SyncTalk's colours), or null when it is made later against the background
 */
public record FrameParsing(long frameIndex, int width, int height, FaceOutline face, Path frameFile, Path parsingFile)
        implements Indexed {
    public FrameParsing {
        Objects.requireNonNull(face, "face");
        Objects.requireNonNull(frameFile, "frameFile");
    }

    /** Journal layout (little-endian): long index, int width, int height, 72 floats of the oval, two UTF-8 paths (length-prefixed, -1 for none). */
    public static final class Codec implements PayloadCodec<FrameParsing> {
        @Override
        public String typeName() {
            return "frame-parsing/1";
        }

        @Override
        public Class<FrameParsing> type() {
            return FrameParsing.class;
        }

        @Override
        public byte[] encode(FrameParsing f) {
            byte[] frame = f.frameFile().toString().getBytes(StandardCharsets.UTF_8);
            byte[] parsing = f.parsingFile() == null ? null : f.parsingFile().toString().getBytes(StandardCharsets.UTF_8);
            float[] xy = f.face().xy();
            ByteBuffer out = ByteBuffer.allocate(16 + 4 * xy.length + 8 + frame.length
                    + (parsing == null ? 0 : parsing.length)).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(f.frameIndex()).putInt(f.width()).putInt(f.height());
            for (float v : xy) {
                out.putFloat(v);
            }
            out.putInt(frame.length).put(frame);
            out.putInt(parsing == null ? -1 : parsing.length);
            if (parsing != null) {
                out.put(parsing);
            }
            return out.array();
        }

        @Override
        public FrameParsing decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long index = in.getLong();
            int width = in.getInt();
            int height = in.getInt();
            float[] xy = new float[FaceOutline.OVAL.length * 2];
            for (int i = 0; i < xy.length; i++) {
                xy[i] = in.getFloat();
            }
            Path frame = Path.of(string(in, in.getInt()));
            int parsingLength = in.getInt();
            Path parsing = parsingLength < 0 ? null : Path.of(string(in, parsingLength));
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("frame-parsing " + index + ": " + in.remaining() + " bytes left over");
            }
            return new FrameParsing(index, width, height, new FaceOutline(xy), frame, parsing);
        }

        private static String string(ByteBuffer in, int length) {
            byte[] b = new byte[length];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
