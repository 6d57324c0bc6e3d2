package dev.synctalk.gpu.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static jcuda.driver.JCudaDriver.cuCtxCreate;
import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventQuery;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

/**
 * One GPU with its own CUDA context: PTX modules loaded from the classpath (cached per module),
 * kernel lookup and launch, pooled device memory, host/device copies and event timing.
 *
 * <p>Every call makes the context current on the calling thread first, so the device may move between
 * threads, but it is not meant for concurrent use: one GPU actor on a pinned thread drives it.
 * Work goes to the default stream, in order. The plain copies are synchronous; the asynchronous ones move
 * {@link PinnedHostBuffer} memory in stream order and {@link DeviceEvent}s say when they are done (a renderer
 * keeps the next frame queued while the host waits for the last). {@link #close()} frees all memory and the context.
 */
public final class CudaDevice implements AutoCloseable {

    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();
    private static final int QUIET_NAN_BITS = 0x7fc00000;

    private final int ordinal;
    private final CUcontext context = new CUcontext();
    private final CUstream defaultStream = new CUstream();
    private final String name;
    private final int computeCapability;
    private final int multiprocessorCount;
    private final long totalMemoryBytes;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<KernelRef, CudaKernel> kernels = new HashMap<>();
    private final DeviceMemoryPool<CUdeviceptr> pool;
    private KernelRef lastLaunched;
    private boolean closed;

    CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        CUdevice device = new CUdevice();
        call(() -> "cuDeviceGet(" + ordinal + ")", () -> cuDeviceGet(device, ordinal));
        call(() -> "cuCtxCreate on device " + ordinal, () -> cuCtxCreate(context, 0, device));
        CURRENT.set(context);
        byte[] nameBytes = new byte[256];
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] sms = new int[1];
        long[] total = new long[1];
        call(() -> "querying device " + ordinal, () -> {
            cuDeviceGetName(nameBytes, nameBytes.length, device);
            cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
            cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
            cuDeviceGetAttribute(sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
            return cuDeviceTotalMem(total, device);
        });
        int length = 0;
        while (length < nameBytes.length && nameBytes[length] != 0) {
            length++;
        }
        this.name = new String(nameBytes, 0, length, StandardCharsets.US_ASCII);
        this.computeCapability = major[0] * 10 + minor[0];
        this.multiprocessorCount = sms[0];
        this.totalMemoryBytes = total[0];
        this.pool = new DeviceMemoryPool<>(new DriverAllocator());
    }

    public int ordinal() {
        return ordinal;
    }

    public String name() {
        return name;
    }

    /** major * 10 + minor, e.g. 90 for an H100. */
    public int computeCapability() {
        return computeCapability;
    }

    public int multiprocessorCount() {
        return multiprocessorCount;
    }

    public long totalMemoryBytes() {
        return totalMemoryBytes;
    }

    /** Free device memory as the driver reports it (other processes' use included). */
    public long freeMemoryBytes() {
        bind();
        long[] free = new long[1];
        long[] total = new long[1];
        call(() -> "cuMemGetInfo", () -> cuMemGetInfo(free, total));
        return free[0];
    }

    public DeviceMemoryPool.Stats memoryStats() {
        return pool.stats();
    }

    // ---- kernels -------------------------------------------------------------------------------------

    /** The kernel {@code ref}, loading its module's PTX on first use. */
    public CudaKernel kernel(KernelRef ref) {
        bind();
        CudaKernel cached = kernels.get(ref);
        if (cached != null) {
            return cached;
        }
        CUmodule module = module(ref.module());
        CUfunction function = new CUfunction();
        call(() -> "looking up kernel " + ref + " (cuModuleGetFunction)", () -> cuModuleGetFunction(function, module,
                ref.function()));
        CudaKernel kernel = new CudaKernel(this, ref, function);
        kernels.put(ref, kernel);
        return kernel;
    }

    public CudaKernel kernel(String module, String function) {
        return kernel(new KernelRef(module, function));
    }

    private CUmodule module(String moduleName) {
        CUmodule loaded = modules.get(moduleName);
        if (loaded != null) {
            return loaded;
        }
        int arch = PtxResources.bestArchitecture(moduleName, computeCapability).orElseThrow(() ->
                new IllegalStateException("no PTX of module " + moduleName + " runs on " + name + " (compute "
                        + computeCapability + "): looked for " + PtxResources.ARCHITECTURES.stream()
                        .map(a -> PtxResources.resourcePath(moduleName, a)).toList()));
        byte[] ptx = PtxResources.load(moduleName, arch);
        CUmodule module = new CUmodule();
        call(() -> "loading module " + moduleName + " from " + PtxResources.resourcePath(moduleName, arch)
                + " (cuModuleLoadData)", () -> cuModuleLoadData(module, ptx));
        modules.put(moduleName, module);
        return module;
    }

    void launch(CudaKernel kernel, LaunchShape s, KernelArgs args) {
        bind();
        lastLaunched = kernel.ref();
        call(() -> "launch of " + kernel.ref() + " (grid " + s.gridX() + "x" + s.gridY() + "x" + s.gridZ() + ", block "
                        + s.blockX() + "x" + s.blockY() + "x" + s.blockZ() + ", " + args.count() + " args)",
                () -> cuLaunchKernel(kernel.function(), s.gridX(), s.gridY(), s.gridZ(), s.blockX(), s.blockY(),
                        s.blockZ(), s.sharedMemoryBytes(), defaultStream, args.toKernelParams(), null));
    }

    /** Lets {@code kernel} launch with up to {@code bytes} of dynamic shared memory (above 48 KiB needs opting in). */
    void allowDynamicSharedMemory(CudaKernel kernel, int bytes) {
        bind();
        call(() -> "allowing " + bytes + " bytes of dynamic shared memory for " + kernel.ref()
                        + " (cuFuncSetAttribute)",
                () -> jcuda.driver.JCudaDriver.cuFuncSetAttribute(kernel.function(),
                        jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
    }

    /** Waits for all queued work; an error raised by a kernel is reported here, naming the last launch. */
    public void synchronize() {
        bind();
        call(() -> "synchronising device " + ordinal + (lastLaunched == null ? "" : " after kernel " + lastLaunched),
                () -> cuCtxSynchronize());
    }

    // ---- memory ------------------------------------------------------------------------------------------

    /** A pooled device buffer of at least {@code bytes}; its contents are undefined. */
    public DeviceBuffer allocate(long bytes) {
        bind();
        return new DeviceBuffer(this, pool.acquire(bytes), bytes);
    }

    public DeviceBuffer allocateFloats(long count) {
        return allocate(count * Float.BYTES);
    }

    /** A new device buffer holding a copy of {@code host}. */
    public DeviceBuffer upload(float[] host) {
        DeviceBuffer buffer = allocateFloats(Math.max(1, host.length));
        copyToDevice(host, buffer);
        return buffer;
    }

    /** A new device buffer holding a copy of {@code host} (int32, e.g. packed ray ranges or level tables). */
    public DeviceBuffer uploadInts(int[] host) {
        DeviceBuffer buffer = allocate(Math.max(1, host.length) * (long) Integer.BYTES);
        bind();
        long bytes = (long) host.length * Integer.BYTES;
        call(() -> "copying " + bytes + " bytes of ints host to device", () -> cuMemcpyHtoD(buffer.pointer(),
                Pointer.to(host), bytes));
        return buffer;
    }

    public void copyToDevice(float[] host, DeviceBuffer target) {
        bind();
        long bytes = (long) host.length * Float.BYTES;
        requireFits(bytes, target, "host-to-device copy");
        call(() -> "copying " + bytes + " bytes host to device", () -> cuMemcpyHtoD(target.pointer(), Pointer.to(host),
                bytes));
    }

    /** Copies {@code host} into {@code target} from its int {@code targetOffset} on (e.g. one frame of many). */
    public void copyToDevice(int[] host, DeviceBuffer target, long targetOffset) {
        bind();
        long bytes = (long) host.length * Integer.BYTES;
        requireFits(targetOffset * Integer.BYTES + bytes, target, "host-to-device copy at an offset");
        call(() -> "copying " + bytes + " bytes of ints host to device at int " + targetOffset,
                () -> cuMemcpyHtoD(target.pointer().withByteOffset(targetOffset * Integer.BYTES), Pointer.to(host),
                        bytes));
    }

    /** Copies the first {@code host.length} floats of {@code source} (synchronous). */
    public void copyToHost(DeviceBuffer source, float[] host) {
        bind();
        long bytes = (long) host.length * Float.BYTES;
        requireFits(bytes, source, "device-to-host copy");
        call(() -> "copying " + bytes + " bytes device to host" + (lastLaunched == null ? ""
                : " (after kernel " + lastLaunched + ")"), () -> cuMemcpyDtoH(Pointer.to(host), source.pointer(), bytes));
    }

    public float[] download(DeviceBuffer source, int floatCount) {
        float[] host = new float[floatCount];
        copyToHost(source, host);
        return host;
    }

    /** Copies {@code host} into {@code target} from float {@code floatOffset} on (synchronous). */
    public void copyToDevice(float[] host, DeviceBuffer target, long floatOffset) {
        bind();
        long bytes = (long) host.length * Float.BYTES;
        requireFits(floatOffset * Float.BYTES + bytes, target, "host-to-device copy at an offset");
        call(() -> "copying " + bytes + " bytes host to device", () -> cuMemcpyHtoD(
                target.pointer().withByteOffset(floatOffset * Float.BYTES), Pointer.to(host), bytes));
    }

    /** Copies {@code host} (any bytes: images, masks) into {@code target} from byte {@code byteOffset} on. */
    public void copyBytesToDevice(byte[] host, DeviceBuffer target, long byteOffset) {
        bind();
        long bytes = host.length;
        requireFits(byteOffset + bytes, target, "host-to-device byte copy");
        call(() -> "copying " + bytes + " bytes host to device", () -> cuMemcpyHtoD(
                target.pointer().withByteOffset(byteOffset), Pointer.to(host), bytes));
    }

    /** Copies floats from {@code floatOffset} of {@code source} into {@code host} (synchronous). */
    public void copyToHost(DeviceBuffer source, long floatOffset, float[] host) {
        bind();
        long bytes = (long) host.length * Float.BYTES;
        requireFits(floatOffset * Float.BYTES + bytes, source, "device-to-host copy at an offset");
        call(() -> "copying " + bytes + " bytes device to host" + (lastLaunched == null ? ""
                : " (after kernel " + lastLaunched + ")"), () -> cuMemcpyDtoH(Pointer.to(host),
                source.pointer().withByteOffset(floatOffset * Float.BYTES), bytes));
    }

    /** The first {@code count} doubles of {@code source} (synchronous). */
    public double[] downloadDoubles(DeviceBuffer source, int count) {
        bind();
        double[] host = new double[count];
        long bytes = (long) count * Double.BYTES;
        requireFits(bytes, source, "device-to-host copy of doubles");
        call(() -> "copying " + bytes + " bytes device to host" + (lastLaunched == null ? ""
                : " (after kernel " + lastLaunched + ")"), () -> cuMemcpyDtoH(Pointer.to(host), source.pointer(), bytes));
        return host;
    }

    /** The first {@code count} ints of {@code source} (synchronous). */
    public int[] downloadInts(DeviceBuffer source, int count) {
        bind();
        int[] host = new int[count];
        long bytes = (long) count * Integer.BYTES;
        requireFits(bytes, source, "device-to-host copy of ints");
        call(() -> "copying " + bytes + " bytes device to host" + (lastLaunched == null ? ""
                : " (after kernel " + lastLaunched + ")"), () -> cuMemcpyDtoH(Pointer.to(host), source.pointer(), bytes));
        return host;
    }

    /** The first {@code count} bytes of {@code source} (synchronous; 8-bit images). */
    public byte[] downloadBytes(DeviceBuffer source, int count) {
        bind();
        byte[] host = new byte[count];
        requireFits(count, source, "device-to-host copy of bytes");
        call(() -> "copying " + count + " bytes device to host" + (lastLaunched == null ? ""
                : " (after kernel " + lastLaunched + ")"), () -> cuMemcpyDtoH(Pointer.to(host), source.pointer(), count));
        return host;
    }

    /** Sets every byte of {@code buffer} to 0 (asynchronous). */
    public void zero(DeviceBuffer buffer) {
        bind();
        call(() -> "cuMemsetD8 of " + buffer.sizeBytes() + " bytes", () -> cuMemsetD8(buffer.pointer(), (byte) 0,
                buffer.sizeBytes()));
    }

    public void copyDeviceToDevice(DeviceBuffer source, DeviceBuffer target, long bytes) {
        bind();
        requireFits(bytes, source, "device-to-device copy source");
        requireFits(bytes, target, "device-to-device copy target");
        call(() -> "copying " + bytes + " bytes device to device", () -> cuMemcpyDtoD(target.pointer(),
                source.pointer(), bytes));
    }

    /** Sets every float of {@code buffer} to {@code value} (asynchronous). */
    public void fill(DeviceBuffer buffer, float value) {
        bind();
        call(() -> "cuMemsetD32 of " + buffer.sizeBytes() + " bytes", () -> cuMemsetD32(buffer.pointer(),
                Float.floatToRawIntBits(value), buffer.floatCount()));
    }

    /** Fills with quiet NaN, so a kernel that leaves an element unwritten fails its parity check. */
    public void poison(DeviceBuffer buffer) {
        bind();
        call(() -> "poisoning " + buffer.sizeBytes() + " bytes", () -> cuMemsetD32(buffer.pointer(), QUIET_NAN_BITS,
                buffer.floatCount()));
    }

    void release(DeviceBuffer buffer) {
        if (!closed) {
            pool.release(buffer.block());
        }
    }

    private static void requireFits(long bytes, DeviceBuffer buffer, String what) {
        if (bytes > buffer.sizeBytes()) {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes exceeds the device buffer of "
                    + buffer.sizeBytes() + " bytes");
        }
    }

    // ---- pinned host memory, asynchronous copies, events ----------------------------------------------------

    /** {@code bytes} of page-locked host memory (contents undefined); the caller closes it. */
    public PinnedHostBuffer allocatePinned(long bytes) {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pinned host buffers hold 1 to " + Integer.MAX_VALUE + " bytes, asked for "
                    + bytes);
        }
        bind();
        Pointer pointer = new Pointer();
        call(() -> "cuMemAllocHost of " + bytes + " bytes", () -> cuMemAllocHost(pointer, bytes));
        return new PinnedHostBuffer(this, pointer, bytes);
    }

    void freePinned(Pointer pointer) {
        if (closed) {
            return;
        }
        bind();
        call(() -> "cuMemFreeHost", () -> cuMemFreeHost(pointer));
    }

    /** Enqueues a copy of {@code bytes} from {@code source} (at {@code sourceOffset}) to {@code target} (at {@code targetOffset}). */
    public void copyToDeviceAsync(PinnedHostBuffer source, long sourceOffset, DeviceBuffer target, long targetOffset,
                                  long bytes) {
        bind();
        requireRange(sourceOffset, bytes, source.sizeBytes(), "asynchronous host-to-device copy source");
        requireRange(targetOffset, bytes, target.sizeBytes(), "asynchronous host-to-device copy target");
        if (bytes == 0) {
            return;
        }
        call(() -> "enqueueing a copy of " + bytes + " bytes pinned host to device", () -> cuMemcpyHtoDAsync(
                target.pointer().withByteOffset(targetOffset), source.pointer(sourceOffset), bytes, defaultStream));
    }

    /** Enqueues a copy of {@code bytes} from {@code source} (at {@code sourceOffset}) into pinned {@code target}. */
    public void copyToHostAsync(DeviceBuffer source, long sourceOffset, PinnedHostBuffer target, long targetOffset,
                                long bytes) {
        bind();
        requireRange(sourceOffset, bytes, source.sizeBytes(), "asynchronous device-to-host copy source");
        requireRange(targetOffset, bytes, target.sizeBytes(), "asynchronous device-to-host copy target");
        if (bytes == 0) {
            return;
        }
        call(() -> "enqueueing a copy of " + bytes + " bytes device to pinned host", () -> cuMemcpyDtoHAsync(
                target.pointer(targetOffset), source.pointer().withByteOffset(sourceOffset), bytes, defaultStream));
    }

    private static void requireRange(long offset, long bytes, long size, String what) {
        if (offset < 0 || bytes < 0 || offset + bytes > size) {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes at " + offset + " exceeds its buffer of "
                    + size + " bytes");
        }
    }

    /** A new event without timing; the caller closes it. */
    public DeviceEvent createEvent() {
        bind();
        CUevent event = new CUevent();
        call(() -> "cuEventCreate", () -> cuEventCreate(event, CUevent_flags.CU_EVENT_DISABLE_TIMING));
        return new DeviceEvent(this, event);
    }

    void recordEvent(CUevent event) {
        bind();
        call(() -> "cuEventRecord", () -> cuEventRecord(event, defaultStream));
    }

    void synchronizeEvent(CUevent event) {
        bind();
        call(() -> "waiting for an event" + (lastLaunched == null ? "" : " (last kernel " + lastLaunched + ")"),
                () -> cuEventSynchronize(event));
    }

    boolean eventComplete(CUevent event) {
        bind();
        int result;
        try {
            result = cuEventQuery(event);
        } catch (jcuda.CudaException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("CUDA_ERROR_NOT_READY")) {
                return false;
            }
            throw new CudaCallException("cuEventQuery" + (lastLaunched == null ? "" : " (last kernel " + lastLaunched
                    + ")"), e.getMessage(), e);
        }
        if (result == CUresult.CUDA_ERROR_NOT_READY) {
            return false;
        }
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException("cuEventQuery", CUresult.stringFor(result), null);
        }
        return true;
    }

    void destroyEvent(CUevent event) {
        if (closed) {
            return;
        }
        bind();
        call(() -> "cuEventDestroy", () -> cuEventDestroy(event));
    }

    // ---- timing ------------------------------------------------------------------------------------------

    /**
     * Times {@code work} (which only enqueues device work) with CUDA events on the default stream:
     * {@code warmups} untimed runs, then {@code repetitions} timed ones, each bracketed by its own events.
     */
    public TimingStats time(int warmups, int repetitions, Runnable work) {
        if (repetitions < 1) {
            throw new IllegalArgumentException("need at least one timed repetition, got " + repetitions);
        }
        bind();
        for (int i = 0; i < warmups; i++) {
            work.run();
        }
        synchronize();
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        call(() -> "cuEventCreate", () -> cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT));
        call(() -> "cuEventCreate", () -> cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT));
        try {
            double[] millis = new double[repetitions];
            float[] elapsed = new float[1];
            for (int i = 0; i < repetitions; i++) {
                call(() -> "cuEventRecord", () -> cuEventRecord(start, defaultStream));
                work.run();
                call(() -> "cuEventRecord", () -> cuEventRecord(stop, defaultStream));
                call(() -> "waiting for timed work" + (lastLaunched == null ? "" : " (last kernel " + lastLaunched + ")"),
                        () -> cuEventSynchronize(stop));
                call(() -> "cuEventElapsedTime", () -> cuEventElapsedTime(elapsed, start, stop));
                millis[i] = elapsed[0];
            }
            return TimingStats.of(millis);
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------------------

    @Override
    public void close() {
        if (closed) {
            return;
        }
        bind();
        try {
            cuCtxSynchronize();
        } catch (RuntimeException ignored) {
            // a sticky kernel error must not keep the memory and context alive
        }
        pool.close();
        for (CUmodule module : modules.values()) {
            cuModuleUnload(module);
        }
        modules.clear();
        kernels.clear();
        closed = true;
        cuCtxDestroy(context);
        if (CURRENT.get() == context) {
            CURRENT.remove();
        }
    }

    @Override
    public String toString() {
        return "CUDA device " + ordinal + " (" + name + ", compute " + computeCapability / 10 + "."
                + computeCapability % 10 + ", " + multiprocessorCount + " SMs, " + (totalMemoryBytes >> 20) + " MiB)";
    }

    private void bind() {
        if (closed) {
            throw new IllegalStateException("CUDA device " + ordinal + " is closed");
        }
        if (CURRENT.get() != context) {
            call(() -> "cuCtxSetCurrent", () -> cuCtxSetCurrent(context));
            CURRENT.set(context);
        }
    }

    /** Runs a driver call; JCuda's exception (the CUresult name) becomes one that says what was being done. */
    static void call(Supplier<String> operation, DriverCall driverCall) {
        int result;
        try {
            result = driverCall.invoke();
        } catch (jcuda.CudaException e) {
            String resultName = e.getMessage() == null ? "unknown CUresult" : e.getMessage().lines().findFirst()
                    .orElse("unknown CUresult");
            if (resultName.startsWith("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw new OutOfDeviceMemoryException(operation.get(), e);
            }
            throw new CudaCallException(operation.get(), resultName, e);
        }
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(operation.get(), CUresult.stringFor(result), null);
        }
    }

    @FunctionalInterface
    interface DriverCall {
        int invoke();
    }

    private final class DriverAllocator implements RawDeviceAllocator<CUdeviceptr> {
        @Override
        public CUdeviceptr allocate(long bytes) {
            CUdeviceptr pointer = new CUdeviceptr();
            call(() -> "cuMemAlloc of " + bytes + " bytes on device " + ordinal, () -> cuMemAlloc(pointer, bytes));
            return pointer;
        }

        @Override
        public void free(CUdeviceptr handle) {
            call(() -> "cuMemFree on device " + ordinal, () -> cuMemFree(handle));
        }
    }
}
