package dev.synctalk.engine.testing;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The test graphs' message: one number per frame. */
public record Num(long frameIndex, double value) implements Indexed {

    public static final class Codec implements PayloadCodec<Num> {
        @Override
        public String typeName() {
            return "test.Num/1";
        }

        @Override
        public Class<Num> type() {
            return Num.class;
        }

        @Override
        public byte[] encode(Num n) {
            return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(n.frameIndex).putDouble(n.value)
                    .array();
        }

        @Override
        public Num decode(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            return new Num(b.getLong(), b.getDouble());
        }
    }
}
