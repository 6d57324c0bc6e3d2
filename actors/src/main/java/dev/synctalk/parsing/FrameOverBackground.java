package dev.synctalk.parsing;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/** A parsed frame once the static background of the video (bc.jpg) exists: what its torso and gt images need. */
public record FrameOverBackground(FrameParsing parsing, Path background) implements Indexed {
    public FrameOverBackground {
        Objects.requireNonNull(parsing, "parsing");
        Objects.requireNonNull(background, "background");
    }

    @Override
    public long frameIndex() {
        return parsing.frameIndex();
    }

    /** Journal layout: the {@link FrameParsing.Codec} bytes (length-prefixed), then the background path in UTF-8. */
    public static final class Codec implements PayloadCodec<FrameOverBackground> {
        private final FrameParsing.Codec parsing = new FrameParsing.Codec();

        @Override
        public String typeName() {
            return "frame-over-background/1";
        }

        @Override
        public Class<FrameOverBackground> type() {
            return FrameOverBackground.class;
        }

        @Override
        public byte[] encode(FrameOverBackground f) {
            byte[] inner = parsing.encode(f.parsing());
            byte[] background = f.background().toString().getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(4 + inner.length + background.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(inner.length).put(inner).put(background).array();
        }

        @Override
        public FrameOverBackground decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int length = in.getInt();
            FrameParsing p = parsing.decode(Arrays.copyOfRange(bytes, 4, 4 + length));
            String background = new String(bytes, 4 + length, bytes.length - 4 - length, StandardCharsets.UTF_8);
            return new FrameOverBackground(p, Path.of(background));
        }
    }
}
