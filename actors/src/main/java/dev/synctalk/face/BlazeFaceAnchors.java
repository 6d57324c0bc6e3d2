package dev.synctalk.face;

/**
 * The SSD anchor centres of MediaPipe's face_detection_short_range graph (SsdAnchorsCalculator with
 * num_layers 4, strides 8, 16, 16, 16, input 128 x 128, offsets 0.5, aspect ratio 1 plus the
 * interpolated scale, fixed_anchor_size). Layers of equal stride share one feature map, so the 16x16 map
 * has 2 anchors per cell and the 8x8 map 6: 512 + 384 = 896. With fixed anchor sizes every anchor is
 * 1 x 1, so only the centres matter.
 */
public final class BlazeFaceAnchors {
    public static final int INPUT_SIZE = 128;
    public static final int COUNT = 896;
    private static final int[] STRIDES = {8, 16, 16, 16};
    private static final double OFFSET = 0.5;

    private BlazeFaceAnchors() {
    }

    /** Anchor centres as {x0, y0, x1, y1, ...} in [0, 1] of the 128 x 128 input, in the model's output order. */
    public static float[] shortRangeCenters() {
        float[] centers = new float[2 * COUNT];
        int n = 0;
        int layer = 0;
        while (layer < STRIDES.length) {
            int anchorsPerCell = 0;
            int last = layer;
            // Consecutive layers with the same stride are merged into one feature map.
            while (last < STRIDES.length && STRIDES[last] == STRIDES[layer]) {
                anchorsPerCell += 2; // aspect ratio 1.0 and the interpolated scale
                last++;
            }
            int cells = (int) Math.ceil((double) INPUT_SIZE / STRIDES[layer]);
            for (int y = 0; y < cells; y++) {
                for (int x = 0; x < cells; x++) {
                    for (int a = 0; a < anchorsPerCell; a++) {
                        centers[n++] = (float) ((x + OFFSET) / cells);
                        centers[n++] = (float) ((y + OFFSET) / cells);
                    }
                }
            }
            layer = last;
        }
        if (n != centers.length) {
            throw new IllegalStateException("anchor layout gave " + n / 2 + " anchors, expected " + COUNT);
        }
        return centers;
    }
}
