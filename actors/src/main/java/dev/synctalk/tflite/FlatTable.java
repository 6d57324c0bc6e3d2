package dev.synctalk.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One FlatBuffers table inside a byte buffer: the few decoding rules TFLite files need. A table starts
 * with a signed 32-bit offset back to its vtable; the vtable holds its own byte size, the table's
 * size, then one 16-bit offset per field (0 or past the end: field absent, use the default).
 * Offsets to sub-tables, vectors and strings are unsigned 32-bit, relative to where they are stored.
 */
final class FlatTable {
    private final ByteBuffer bytes;
    private final int position;
    private final int vtable;
    private final int vtableSize;

    private FlatTable(ByteBuffer bytes, int position) {
        this.bytes = bytes;
        this.position = position;
        this.vtable = position - bytes.getInt(position);
        this.vtableSize = Short.toUnsignedInt(bytes.getShort(vtable));
    }

    /** The root table of a FlatBuffer: its offset is the first uint32 of the buffer. */
    static FlatTable root(ByteBuffer buffer) {
        ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new FlatTable(le, le.getInt(0));
    }

    /** Absolute byte position of field {@code index}, or -1 when the field is absent. */
    private int field(int index) {
        int slot = 4 + 2 * index;
        if (slot >= vtableSize) {
            return -1;
        }
        int offset = Short.toUnsignedInt(bytes.getShort(vtable + slot));
        return offset == 0 ? -1 : position + offset;
    }

    boolean has(int index) {
        return field(index) >= 0;
    }

    byte getByte(int index, byte defaultValue) {
        int at = field(index);
        return at < 0 ? defaultValue : bytes.get(at);
    }

    boolean getBool(int index, boolean defaultValue) {
        int at = field(index);
        return at < 0 ? defaultValue : bytes.get(at) != 0;
    }

    int getInt(int index, int defaultValue) {
        int at = field(index);
        return at < 0 ? defaultValue : bytes.getInt(at);
    }

    long getLong(int index, long defaultValue) {
        int at = field(index);
        return at < 0 ? defaultValue : bytes.getLong(at);
    }

    private int indirect(int at) {
        return at + bytes.getInt(at);
    }

    /** A sub-table, or null when absent. */
    FlatTable table(int index) {
        int at = field(index);
        return at < 0 ? null : new FlatTable(bytes, indirect(at));
    }

    String string(int index) {
        int at = field(index);
        if (at < 0) {
            return null;
        }
        int start = indirect(at);
        int length = bytes.getInt(start);
        byte[] text = new byte[length];
        bytes.get(start + 4, text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** Element count of a vector field; 0 when absent. */
    int vectorLength(int index) {
        int at = field(index);
        return at < 0 ? 0 : bytes.getInt(indirect(at));
    }

    private int vectorStart(int index) {
        return indirect(field(index)) + 4;
    }

    /** Element {@code i} of a vector of tables. */
    FlatTable tableAt(int index, int i) {
        int slot = vectorStart(index) + 4 * i;
        return new FlatTable(bytes, indirect(slot));
    }

    int[] intVector(int index) {
        int n = vectorLength(index);
        int[] out = new int[n];
        if (n > 0) {
            int start = vectorStart(index);
            for (int i = 0; i < n; i++) {
                out[i] = bytes.getInt(start + 4 * i);
            }
        }
        return out;
    }

    long[] longVector(int index) {
        int n = vectorLength(index);
        long[] out = new long[n];
        if (n > 0) {
            int start = vectorStart(index);
            for (int i = 0; i < n; i++) {
                out[i] = bytes.getLong(start + 8 * i);
            }
        }
        return out;
    }

    float[] floatVector(int index) {
        int n = vectorLength(index);
        float[] out = new float[n];
        if (n > 0) {
            int start = vectorStart(index);
            for (int i = 0; i < n; i++) {
                out[i] = bytes.getFloat(start + 4 * i);
            }
        }
        return out;
    }

    byte[] byteVector(int index) {
        int n = vectorLength(index);
        byte[] out = new byte[n];
        if (n > 0) {
            bytes.get(vectorStart(index), out);
        }
        return out;
    }
}
