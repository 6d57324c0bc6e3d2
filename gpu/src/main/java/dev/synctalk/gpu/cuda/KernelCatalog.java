package dev.synctalk.gpu.cuda;

import java.util.List;

/** Every kernel the Java side launches; a test checks each is an entry of its module's PTX. */
public final class KernelCatalog {

    public static final KernelRef SAXPY = new KernelRef("saxpy", "saxpy");
    public static final KernelRef SAXPY_BACKWARD = new KernelRef("saxpy", "saxpy_backward");
    public static final KernelRef ADAMW_STEP = new KernelRef("adamw", "adamw_step");
    public static final KernelRef BLUR_ROWS = new KernelRef("blur", "blur_rows");
    public static final KernelRef BLUR_COLS = new KernelRef("blur", "blur_cols");
    public static final KernelRef BLUR_ROWS_BACKWARD = new KernelRef("blur", "blur_rows_backward");
    public static final KernelRef BLUR_COLS_BACKWARD = new KernelRef("blur", "blur_cols_backward");
    public static final KernelRef MASKED_MERGE = new KernelRef("portrait", "masked_merge");
    public static final KernelRef MASKED_MERGE_BACKWARD = new KernelRef("portrait", "masked_merge_backward");
    public static final KernelRef NECK_FILL_COLOUR = new KernelRef("portrait", "neck_fill_colour");

    public static final List<KernelRef> ALL = List.of(SAXPY, SAXPY_BACKWARD, ADAMW_STEP, BLUR_ROWS, BLUR_COLS,
            BLUR_ROWS_BACKWARD, BLUR_COLS_BACKWARD, MASKED_MERGE, MASKED_MERGE_BACKWARD, NECK_FILL_COLOUR);

    /** Threads per block of the 1-D element-wise kernels (their .cu headers say 256). */
    public static final int ELEMENTWISE_BLOCK = 256;
    /** Block shape of the per-pixel image kernels (blur.cu). */
    public static final int PIXEL_BLOCK_X = 32;
    public static final int PIXEL_BLOCK_Y = 8;

    private KernelCatalog() {
    }

    /** Grid-stride launch for {@code elements} items: at most 32 blocks per multiprocessor. */
    public static LaunchShape elementwise(CudaDevice device, long elements) {
        return LaunchShape.gridStride(elements, ELEMENTWISE_BLOCK, 32 * device.multiprocessorCount());
    }
}
