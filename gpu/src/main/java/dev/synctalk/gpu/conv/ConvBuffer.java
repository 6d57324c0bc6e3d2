package dev.synctalk.gpu.conv;

/**
 * Floats owned by one {@link ConvOps} device: a host array for {@link CpuConvOps}, device memory for the
 * cuDNN implementation. Only the ops that made a buffer may read or write it; {@link #close()} gives its
 * memory back (a no-op on the host).
 */
public interface ConvBuffer extends AutoCloseable {

    /** How many floats the buffer holds. */
    long floats();

    @Override
    void close();
}
