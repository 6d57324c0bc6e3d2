package dev.synctalk.parsing;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Says that every parsing output of one frame (parsing/N.png, gt_imgs/N.jpg, torso_imgs/N.png, the face
 * mask) is on disk, so that stages that need those files can wait for them by frame index.
 */
public record ParsedFrame(long frameIndex) implements Indexed {

    public static final class Codec implements PayloadCodec<ParsedFrame> {
        @Override
        public String typeName() {
            return "parsed-frame/1";
        }

        @Override
        public Class<ParsedFrame> type() {
            return ParsedFrame.class;
        }

        @Override
        public byte[] encode(ParsedFrame value) {
            return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value.frameIndex()).array();
        }

        @Override
        public ParsedFrame decode(byte[] bytes) {
            if (bytes.length != 8) {
                throw new IllegalArgumentException("parsed-frame: expected 8 bytes, got " + bytes.length);
            }
            return new ParsedFrame(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }
}
