package dev.synctalk.pose;

import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of the protobuf wire format to read MediaPipe's geometry metadata without a protobuf
 * dependency: varints, fixed32/64 and length-delimited fields, with repeated floats and ints either
 * packed or one field per element.
 */
final class ProtoWire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** One field occurrence: for length-delimited fields {@code offset/length} locate the payload. */
    record Field(int number, int wireType, long varint, int offset, int length) {
    }

    private ProtoWire() {
    }

    /** All fields of the message in {@code bytes[from, from + length)}, in wire order. */
    static List<Field> fields(byte[] bytes, int from, int length, String what) {
        List<Field> out = new ArrayList<>();
        int end = from + length;
        int[] pos = {from};
        while (pos[0] < end) {
            long key = readVarint(bytes, pos, end, what);
            int number = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            switch (wireType) {
                case VARINT -> out.add(new Field(number, wireType, readVarint(bytes, pos, end, what), 0, 0));
                case FIXED64 -> {
                    require(pos[0] + 8 <= end, what, "fixed64 field " + number + " runs past the end");
                    out.add(new Field(number, wireType, 0, pos[0], 8));
                    pos[0] += 8;
                }
                case LENGTH_DELIMITED -> {
                    long n = readVarint(bytes, pos, end, what);
                    require(n >= 0 && pos[0] + n <= end, what, "field " + number + " of length " + n + " runs past the end");
                    out.add(new Field(number, wireType, 0, pos[0], (int) n));
                    pos[0] += (int) n;
                }
                case FIXED32 -> {
                    require(pos[0] + 4 <= end, what, "fixed32 field " + number + " runs past the end");
                    out.add(new Field(number, wireType, 0, pos[0], 4));
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException(what + ": unsupported wire type " + wireType
                        + " for field " + number + " at byte " + pos[0]);
            }
        }
        return out;
    }

    static float fixed32Float(byte[] bytes, int offset) {
        int bits = (bytes[offset] & 0xff) | (bytes[offset + 1] & 0xff) << 8 | (bytes[offset + 2] & 0xff) << 16
                | (bytes[offset + 3] & 0xff) << 24;
        return Float.intBitsToFloat(bits);
    }

    /** Collects repeated float field {@code number}, packed or not. */
    static float[] repeatedFloats(byte[] bytes, List<Field> fields, int number) {
        int count = 0;
        for (Field f : fields) {
            if (f.number() == number) {
                count += f.wireType() == LENGTH_DELIMITED ? f.length() / 4 : 1;
            }
        }
        float[] out = new float[count];
        int i = 0;
        for (Field f : fields) {
            if (f.number() != number) {
                continue;
            }
            if (f.wireType() == LENGTH_DELIMITED) {
                for (int k = 0; k + 4 <= f.length(); k += 4) {
                    out[i++] = fixed32Float(bytes, f.offset() + k);
                }
            } else if (f.wireType() == FIXED32) {
                out[i++] = fixed32Float(bytes, f.offset());
            }
        }
        return i == count ? out : java.util.Arrays.copyOf(out, i);
    }

    private static long readVarint(byte[] bytes, int[] pos, int end, String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            require(pos[0] < end, what, "varint runs past the end");
            int b = bytes[pos[0]++] & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                return result;
            }
        }
        throw new IllegalArgumentException(what + ": varint longer than 10 bytes at byte " + pos[0]);
    }

    private static void require(boolean ok, String what, String message) {
        if (!ok) {
            throw new IllegalArgumentException(what + ": " + message);
        }
    }
}
