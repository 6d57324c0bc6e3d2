package dev.synctalk.gpu.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.Pointer;

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
