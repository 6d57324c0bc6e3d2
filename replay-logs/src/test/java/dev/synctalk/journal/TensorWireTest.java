package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class TensorWireTest {

    @Test
    void tensorWireIsLittleEndianFloat32WithShape() {
        // Big-endian buffer on purpose: the wire stays little-endian whatever the caller's buffer order is.
        ByteBuffer out = ByteBuffer.allocate(TensorWire.byteSize(new int[] {1, 2})).order(ByteOrder.BIG_ENDIAN);
        TensorWire.writeFloats(out, new int[] {1, 2}, new float[] {1.0f, -2.5f});

        byte[] expected = {
            2, 0, 0, 0,                                // rank 2
            1, 0, 0, 0,                                // dim 1
            2, 0, 0, 0,                                // dim 2
            0x00, 0x00, (byte) 0x80, 0x3F,             // 1.0f  = 0x3F800000
            0x00, 0x00, 0x20, (byte) 0xC0,             // -2.5f = 0xC0200000
        };
        assertEquals(expected.length, out.position());
        assertArrayEquals(expected, out.array());
        assertEquals(ByteOrder.BIG_ENDIAN, out.order(), "the caller's buffer order is left alone");

        TensorWire.Tensor read = TensorWire.readFloats(ByteBuffer.wrap(expected));
        assertArrayEquals(new int[] {1, 2}, read.shape());
        assertArrayEquals(new float[] {1.0f, -2.5f}, read.data());
    }

    @Test
    void byteTensorIsShapeThenRawBytes() {
        ByteBuffer out = ByteBuffer.allocate(TensorWire.byteTensorSize(new int[] {3}));
        TensorWire.writeBytes(out, new int[] {3}, new byte[] {(byte) 255, 0, 7});

        assertArrayEquals(new byte[] {1, 0, 0, 0, 3, 0, 0, 0, (byte) 255, 0, 7}, out.array());
        TensorWire.ByteTensor read = TensorWire.readBytes(ByteBuffer.wrap(out.array()));
        assertEquals(new TensorWire.ByteTensor(new int[] {3}, new byte[] {(byte) 255, 0, 7}), read);
    }

    @Test
    void tensorsFollowOneAnotherInOneBuffer() {
        int[] shape = {2, 2, 2};
        float[] values = {0, 1, 2, 3, 4, 5, 6, 7};
        ByteBuffer out = ByteBuffer.allocate(TensorWire.byteSize(shape) + TensorWire.byteTensorSize(new int[0]));
        TensorWire.writeFloats(out, shape, values);
        TensorWire.writeBytes(out, new int[0], new byte[] {42});
        assertEquals(out.capacity(), out.position());

        ByteBuffer in = ByteBuffer.wrap(out.array());
        assertEquals(new TensorWire.Tensor(shape, values), TensorWire.readFloats(in));
        assertEquals(new TensorWire.ByteTensor(new int[0], new byte[] {42}), TensorWire.readBytes(in));
        assertEquals(0, in.remaining());
    }

    @Test
    void shapeThatDoesNotMatchTheDataIsRejected() {
        ByteBuffer out = ByteBuffer.allocate(64);
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> TensorWire.writeFloats(out, new int[] {2, 3}, new float[5]));
        assertTrue(mismatch.getMessage().contains("[2, 3]"), mismatch.getMessage());
        assertEquals(0, out.position(), "nothing written");
    }

    @Test
    void truncatedOrGarbageTensorBytesAreRejected() {
        ByteBuffer truncated = ByteBuffer.allocate(TensorWire.byteSize(new int[] {4}));
        TensorWire.writeFloats(truncated, new int[] {4}, new float[4]);
        byte[] cut = new byte[truncated.capacity() - 1];
        System.arraycopy(truncated.array(), 0, cut, 0, cut.length);
        IllegalArgumentException shortData = assertThrows(IllegalArgumentException.class,
                () -> TensorWire.readFloats(ByteBuffer.wrap(cut)));
        assertTrue(shortData.getMessage().contains("needs 16 bytes"), shortData.getMessage());

        byte[] hugeRank = {(byte) 0xFF, (byte) 0xFF, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> TensorWire.readFloats(ByteBuffer.wrap(hugeRank)));
    }

    @Test
    void byteSizeCountsShapeAndFloat32Elements() {
        assertEquals(4 + 3 * 4 + 512 * 512 * 3 * 4, TensorWire.byteSize(new int[] {512, 512, 3}));
        assertEquals(4 + 3 * 4 + 512 * 512 * 3, TensorWire.byteTensorSize(new int[] {512, 512, 3}));
        assertEquals(4 + 4, TensorWire.byteSize(new int[0]));
    }
}
