package dev.synctalk.gpu.cuda.nn;

import dev.synctalk.gpu.cuda.DeviceBuffer;

/**
 * A position inside a device buffer, in floats: where a layer's weight sits in the flat parameter buffer,
 * or where a column block starts inside a wider row. A null buffer stands for an absent optional operand.
 */
public record DeviceView(DeviceBuffer buffer, long offset) {

    public DeviceView {
        if (offset < 0) {
            throw new IllegalArgumentException("device view offset must not be negative: " + offset);
        }
    }

    public static DeviceView of(DeviceBuffer buffer) {
        return new DeviceView(buffer, 0);
    }

    public static DeviceView absent() {
        return new DeviceView(null, 0);
    }

    /** The view {@code floats} further on. */
    public DeviceView plus(long floats) {
        return new DeviceView(buffer, offset + floats);
    }

    public boolean present() {
        return buffer != null;
    }
}
