package dev.synctalk.gpu.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A kernel's argument list in declaration order. Each add must match the kernel's C parameter type:
 * {@link #buffer} for pointers, {@link #i32} for int, {@link #i64} for long long, {@link #f32} for float.
 */
public final class KernelArgs {
    private final List<Pointer> values = new ArrayList<>();

    private KernelArgs() {
    }

    public static KernelArgs create() {
        return new KernelArgs();
    }

    public KernelArgs buffer(DeviceBuffer buffer) {
        values.add(Pointer.to(buffer.pointer()));
        return this;
    }

    /** A pointer {@code floatOffset} floats into {@code buffer} (a column block or a slice of it). */
    public KernelArgs buffer(DeviceBuffer buffer, long floatOffset) {
        if (floatOffset < 0 || floatOffset * Float.BYTES > buffer.sizeBytes()) {
            throw new IllegalArgumentException("offset of " + floatOffset + " floats lies outside a device buffer of "
                    + buffer.sizeBytes() + " bytes");
        }
        values.add(Pointer.to(buffer.pointer().withByteOffset(floatOffset * Float.BYTES)));
        return this;
    }

    /** A pointer {@code byteOffset} bytes into {@code buffer} (byte data such as images). */
    public KernelArgs bufferAtByte(DeviceBuffer buffer, long byteOffset) {
        if (byteOffset < 0 || byteOffset > buffer.sizeBytes()) {
            throw new IllegalArgumentException("offset of " + byteOffset + " bytes lies outside a device buffer of "
                    + buffer.sizeBytes() + " bytes");
        }
        values.add(Pointer.to(buffer.pointer().withByteOffset(byteOffset)));
        return this;
    }

    /** {@code buffer}, or the null pointer for an optional argument the kernel skips. */
    public KernelArgs optionalBuffer(DeviceBuffer buffer) {
        values.add(Pointer.to(buffer == null ? new CUdeviceptr() : buffer.pointer()));
        return this;
    }

    public KernelArgs i32(int value) {
        values.add(Pointer.to(new int[] {value}));
        return this;
    }

    public KernelArgs i64(long value) {
        values.add(Pointer.to(new long[] {value}));
        return this;
    }

    public KernelArgs f32(float value) {
        values.add(Pointer.to(new float[] {value}));
        return this;
    }

    public int count() {
        return values.size();
    }

    Pointer toKernelParams() {
        return Pointer.to(values.toArray(new Pointer[0]));
    }
}
