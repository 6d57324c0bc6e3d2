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
    public static final KernelRef HASHGRID_FORWARD = new KernelRef("hashgrid", "hashgrid_forward");
    public static final KernelRef HASHGRID_BACKWARD_EMBEDDINGS = new KernelRef("hashgrid", "hashgrid_backward_embeddings");
    public static final KernelRef HASHGRID_BACKWARD_EMBEDDINGS_SHARED =
            new KernelRef("hashgrid", "hashgrid_backward_embeddings_shared");
    public static final KernelRef HASHGRID_BACKWARD_COORDS = new KernelRef("hashgrid", "hashgrid_backward_coords");
    public static final KernelRef SH_FORWARD = new KernelRef("sh", "sh_forward");
    public static final KernelRef SH_BACKWARD = new KernelRef("sh", "sh_backward");
    public static final KernelRef DENSE_ROWS = new KernelRef("dense", "dense_rows");
    public static final KernelRef DENSE_WEIGHT_GRAD = new KernelRef("dense", "dense_weight_grad");
    public static final KernelRef VOLUME_RENDER_FORWARD = new KernelRef("render", "volume_render_forward");
    public static final KernelRef VOLUME_RENDER_BACKWARD = new KernelRef("render", "volume_render_backward");
    public static final KernelRef MSE_FORWARD = new KernelRef("render", "mse_forward");
    public static final KernelRef MSE_BACKWARD = new KernelRef("render", "mse_backward");
    public static final KernelRef RENDER_MSE_TRAIN = new KernelRef("render", "render_mse_train");
    public static final KernelRef ACTIVATION_FORWARD = new KernelRef("render", "activation_forward");
    public static final KernelRef ACTIVATION_BACKWARD = new KernelRef("render", "activation_backward");
    public static final KernelRef HEAD_MODULATE_FORWARD = new KernelRef("headnet", "head_modulate_forward");
    public static final KernelRef HEAD_MODULATE_BACKWARD = new KernelRef("headnet", "head_modulate_backward");
    public static final KernelRef HEAD_SIGMA_FORWARD = new KernelRef("headnet", "head_sigma_forward");
    public static final KernelRef HEAD_SIGMA_BACKWARD = new KernelRef("headnet", "head_sigma_backward");
    public static final KernelRef HEAD_OUTPUTS_FORWARD = new KernelRef("headnet", "head_outputs_forward");
    public static final KernelRef HEAD_OUTPUTS_BACKWARD = new KernelRef("headnet", "head_outputs_backward");

    public static final KernelRef FUSED_HEAD_FORWARD = new KernelRef("fusedhead", "fused_head_forward");
    public static final KernelRef FUSED_HEAD_BACKWARD = new KernelRef("fusedhead", "fused_head_backward");
    public static final KernelRef FUSED_WEIGHT_GRAD = new KernelRef("fusedhead", "fused_weight_grad");
    public static final KernelRef FUSED_PACK_WEIGHTS = new KernelRef("fusedhead", "fused_pack_weights");

    public static final KernelRef MARCH_COUNT = new KernelRef("occupancy", "march_count");
    public static final KernelRef SCAN_TILE_SUMS = new KernelRef("occupancy", "scan_tile_sums");
    public static final KernelRef SCAN_TILES_APPLY = new KernelRef("occupancy", "scan_tiles_apply");
    public static final KernelRef MARCH_WRITE = new KernelRef("occupancy", "march_write");
    public static final KernelRef OCCUPANCY_CELL_CENTRES = new KernelRef("occupancy", "occupancy_cell_centres");
    public static final KernelRef OCCUPANCY_ELLIPSOID_MASK = new KernelRef("occupancy", "occupancy_ellipsoid_mask");
    public static final KernelRef OCCUPANCY_BUILD = new KernelRef("occupancy", "occupancy_build");
    public static final KernelRef TAKE_CHANNEL = new KernelRef("occupancy", "take_channel");

    public static final KernelRef LPIPS_SCALE = new KernelRef("lpips", "lpips_scale");
    public static final KernelRef LPIPS_TAP_DISTANCE = new KernelRef("lpips", "lpips_tap_distance");
    public static final KernelRef LPIPS_TAP_BACKWARD = new KernelRef("lpips", "lpips_tap_backward");
    public static final KernelRef LPIPS_RELU_MASK = new KernelRef("lpips", "lpips_relu_mask");
    public static final KernelRef LPIPS_UNSCALE_GRAD = new KernelRef("lpips", "lpips_unscale_grad");

    public static final KernelRef HASHGRID_BACKWARD_EMBEDDINGS_FIXED =
            new KernelRef("hashgrid", "hashgrid_backward_embeddings_fixed");

    public static final KernelRef SAMPLE_RAYS = new KernelRef("headtrain", "sample_rays");
    public static final KernelRef CAMERA_RAYS = new KernelRef("headtrain", "camera_rays");
    public static final KernelRef MARCH_TRAIN_COUNT = new KernelRef("headtrain", "march_train_count");
    public static final KernelRef MARCH_TRAIN_WRITE = new KernelRef("headtrain", "march_train_write");
    public static final KernelRef UNCERTAINTY_SOFTMAX_STATS = new KernelRef("headtrain", "uncertainty_softmax_stats");
    public static final KernelRef HEAD_RAY_LOSSES = new KernelRef("headtrain", "head_ray_losses");
    public static final KernelRef COLUMN_SUMS = new KernelRef("headtrain", "column_sums");
    public static final KernelRef ADD_INTO = new KernelRef("headtrain", "add_into");
    public static final KernelRef HEAD_GRAD_ABS_MAX = new KernelRef("headtrain", "head_grad_abs_max");
    public static final KernelRef HEAD_LOSS_SCALE = new KernelRef("headtrain", "head_loss_scale");
    public static final KernelRef REDUCE_TILES = new KernelRef("headtrain", "reduce_tiles");
    public static final KernelRef SUM_BLOCK_PARTIALS = new KernelRef("headtrain", "sum_block_partials");
    public static final KernelRef FIXED_TO_FLOAT = new KernelRef("headtrain", "fixed_to_float");
    public static final KernelRef GRID_CELL_POINTS = new KernelRef("headtrain", "grid_cell_points");
    public static final KernelRef GRID_DILATE = new KernelRef("headtrain", "grid_dilate");
    public static final KernelRef GRID_DECAY_MAX = new KernelRef("headtrain", "grid_decay_max");
    public static final KernelRef GRID_MEAN = new KernelRef("headtrain", "grid_mean");
    public static final KernelRef GRID_THRESHOLD = new KernelRef("headtrain", "grid_threshold");
    public static final KernelRef PATCHES_TO_PLANES = new KernelRef("headtrain", "patches_to_planes");
    public static final KernelRef PLANES_GRAD_ADD = new KernelRef("headtrain", "planes_grad_add");
    public static final KernelRef CLAMP01 = new KernelRef("headtrain", "clamp01");

    public static final KernelRef SMALL_DENSE_FORWARD = new KernelRef("smallnn", "small_dense_forward");
    public static final KernelRef SMALL_DENSE_BACKWARD_INPUT = new KernelRef("smallnn", "small_dense_backward_input");
    public static final KernelRef SMALL_DENSE_BACKWARD_PARAMS = new KernelRef("smallnn", "small_dense_backward_params");
    public static final KernelRef SMALL_CONV1D_FORWARD = new KernelRef("smallnn", "small_conv1d_forward");
    public static final KernelRef SMALL_CONV1D_BACKWARD_INPUT = new KernelRef("smallnn", "small_conv1d_backward_input");
    public static final KernelRef SMALL_CONV1D_BACKWARD_PARAMS = new KernelRef("smallnn", "small_conv1d_backward_params");
    public static final KernelRef SMALL_TRANSPOSE = new KernelRef("smallnn", "small_transpose");
    public static final KernelRef SMALL_ADD = new KernelRef("smallnn", "small_add");
    public static final KernelRef SMALL_SOFTMAX_FORWARD = new KernelRef("smallnn", "small_softmax_forward");
    public static final KernelRef SMALL_SOFTMAX_BACKWARD = new KernelRef("smallnn", "small_softmax_backward");
    public static final KernelRef SMALL_ATTENTION_POOL_FORWARD = new KernelRef("smallnn", "small_attention_pool_forward");
    public static final KernelRef SMALL_ATTENTION_POOL_BACKWARD = new KernelRef("smallnn", "small_attention_pool_backward");
    public static final KernelRef AUDIO_WINDOW = new KernelRef("smallnn", "audio_window");

    public static final KernelRef FREQUENCY_ENCODING_FORWARD = new KernelRef("frequency", "frequency_encoding_forward");
    public static final KernelRef FREQUENCY_ENCODING_BACKWARD = new KernelRef("frequency", "frequency_encoding_backward");
    public static final KernelRef COLUMN_SUMS_PARTIAL = new KernelRef("reduce", "column_sums_partial");
    public static final KernelRef COLUMN_SUMS_FINISH = new KernelRef("reduce", "column_sums_finish");
    public static final KernelRef COUNT_NONFINITE = new KernelRef("reduce", "count_nonfinite");
    public static final KernelRef TORSO_SAMPLE_PIXELS = new KernelRef("torso", "torso_sample_pixels");
    public static final KernelRef TORSO_PIXEL_COORDS = new KernelRef("torso", "torso_pixel_coords");
    public static final KernelRef BROADCAST_ROW = new KernelRef("torso", "broadcast_row");
    public static final KernelRef ANCHOR_PROJECT_FORWARD = new KernelRef("torso", "anchor_project_forward");
    public static final KernelRef ANCHOR_PROJECT_BACKWARD = new KernelRef("torso", "anchor_project_backward");
    public static final KernelRef TORSO_ANCHOR_REGULARISER = new KernelRef("torso", "torso_anchor_regulariser");
    public static final KernelRef OFFSET_CLAMP_FORWARD = new KernelRef("torso", "offset_clamp_forward");
    public static final KernelRef OFFSET_CLAMP_BACKWARD = new KernelRef("torso", "offset_clamp_backward");
    public static final KernelRef TORSO_OUTPUT = new KernelRef("torso", "torso_output");
    public static final KernelRef TORSO_LOSS = new KernelRef("torso", "torso_loss");
    public static final KernelRef HEAD_TORSO_COMPOSITE = new KernelRef("torso", "head_torso_composite");
    public static final KernelRef FRAME_RGB8 = new KernelRef("frame", "frame_rgb8");
    public static final KernelRef PORTRAIT_RGB8 = new KernelRef("frame", "portrait_rgb8");

    public static final List<KernelRef> ALL = java.util.stream.Stream.concat(java.util.stream.Stream.of(SAXPY, SAXPY_BACKWARD, ADAMW_STEP, BLUR_ROWS, BLUR_COLS,
            BLUR_ROWS_BACKWARD, BLUR_COLS_BACKWARD, MASKED_MERGE, MASKED_MERGE_BACKWARD, NECK_FILL_COLOUR,
            HASHGRID_FORWARD, HASHGRID_BACKWARD_EMBEDDINGS, HASHGRID_BACKWARD_EMBEDDINGS_SHARED, HASHGRID_BACKWARD_COORDS, SH_FORWARD, SH_BACKWARD, DENSE_ROWS, DENSE_WEIGHT_GRAD, VOLUME_RENDER_FORWARD, VOLUME_RENDER_BACKWARD, MSE_FORWARD, MSE_BACKWARD, RENDER_MSE_TRAIN, ACTIVATION_FORWARD, ACTIVATION_BACKWARD, HEAD_MODULATE_FORWARD, HEAD_MODULATE_BACKWARD, HEAD_SIGMA_FORWARD, HEAD_SIGMA_BACKWARD, HEAD_OUTPUTS_FORWARD, HEAD_OUTPUTS_BACKWARD,
            FUSED_HEAD_FORWARD, FUSED_HEAD_BACKWARD, FUSED_WEIGHT_GRAD, FUSED_PACK_WEIGHTS,
            FREQUENCY_ENCODING_FORWARD, FREQUENCY_ENCODING_BACKWARD, COLUMN_SUMS_PARTIAL, COLUMN_SUMS_FINISH,
            COUNT_NONFINITE, TORSO_SAMPLE_PIXELS, TORSO_PIXEL_COORDS, BROADCAST_ROW, ANCHOR_PROJECT_FORWARD,
            ANCHOR_PROJECT_BACKWARD, TORSO_ANCHOR_REGULARISER, OFFSET_CLAMP_FORWARD, OFFSET_CLAMP_BACKWARD,
            TORSO_OUTPUT, TORSO_LOSS, HEAD_TORSO_COMPOSITE, FRAME_RGB8, PORTRAIT_RGB8,
            MARCH_COUNT, SCAN_TILE_SUMS, SCAN_TILES_APPLY, MARCH_WRITE, OCCUPANCY_CELL_CENTRES, OCCUPANCY_ELLIPSOID_MASK, OCCUPANCY_BUILD,
            TAKE_CHANNEL, LPIPS_SCALE, LPIPS_TAP_DISTANCE, LPIPS_TAP_BACKWARD, LPIPS_RELU_MASK, LPIPS_UNSCALE_GRAD,
            HASHGRID_BACKWARD_EMBEDDINGS_FIXED, SAMPLE_RAYS, CAMERA_RAYS, MARCH_TRAIN_COUNT, MARCH_TRAIN_WRITE,
            UNCERTAINTY_SOFTMAX_STATS, HEAD_RAY_LOSSES, COLUMN_SUMS, ADD_INTO, HEAD_GRAD_ABS_MAX, HEAD_LOSS_SCALE,
            REDUCE_TILES, SUM_BLOCK_PARTIALS, FIXED_TO_FLOAT, GRID_CELL_POINTS, GRID_DILATE,
            GRID_DECAY_MAX, GRID_MEAN, GRID_THRESHOLD, PATCHES_TO_PLANES, PLANES_GRAD_ADD, CLAMP01,
            SMALL_DENSE_FORWARD, SMALL_DENSE_BACKWARD_INPUT, SMALL_DENSE_BACKWARD_PARAMS, SMALL_CONV1D_FORWARD,
            SMALL_CONV1D_BACKWARD_INPUT, SMALL_CONV1D_BACKWARD_PARAMS, SMALL_TRANSPOSE, SMALL_ADD, SMALL_SOFTMAX_FORWARD,
            SMALL_SOFTMAX_BACKWARD, SMALL_ATTENTION_POOL_FORWARD, SMALL_ATTENTION_POOL_BACKWARD, AUDIO_WINDOW),
            // convnet.cu's kernels are declared next to their one user
            dev.synctalk.gpu.cuda.conv.CudnnConvOps.KERNELS.stream()).toList();

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
