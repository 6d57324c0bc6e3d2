package dev.synctalk.gpu.cuda.head;

import java.util.List;


/**
 * The host's copy of fusedhead.cu's layouts: where each packed fp16 weight matrix sits, the activation and
 * gradient planes of the training path, the shared memory each kernel needs, and the tables the packing and
 * weight-gradient kernels read. The constants must equal the .cu's #defines (FusedHeadLayoutTest checks the
 * arithmetic that ties them together: alignment, no overlap, sizes within the hardware's limits).
 */
public final class FusedHeadLayout {

    /** One dense layer of the head: in -> out, weight [out, in] at {@code offset} floats into the network parameters. */
    public record Layer(int in, int out, long offset) {
    }

    /** Warps per block of the fused kernels, each owning 16 samples at a time. */
    public static final int WARPS = 8;
    public static final int THREADS = WARPS * 32;
    public static final int TILE_ROWS = 16;
    /** Padding of each shared-memory row stride, in halves, against bank conflicts. */
    public static final int ROW_PAD = 8;

    /** One packed matrix: rows x (ld - ROW_PAD) usable halves at {@code offset}, row stride {@code ld}. */
    public record PackedMatrix(String name, int rows, int cols, int ld, int offset) {
        public int halves() {
            return rows * ld;
        }
    }

    public static final PackedMatrix FIRST = new PackedMatrix("aud1|eye1|unc1", 160, 48, 56, 0);
    public static final PackedMatrix AUD2 = new PackedMatrix("aud2", 32, 64, 72, 8960);
    public static final PackedMatrix EYE2 = new PackedMatrix("eye2", 16, 64, 72, 11264);
    public static final PackedMatrix UNC2 = new PackedMatrix("unc2", 16, 32, 40, 12416);
    public static final PackedMatrix SIG1 = new PackedMatrix("sig1", 64, 80, 88, 13056);
    public static final PackedMatrix SIG2 = new PackedMatrix("sig2", 64, 64, 72, 18688);
    public static final PackedMatrix SIG3 = new PackedMatrix("sig3", 80, 64, 72, 23296);
    public static final PackedMatrix COL1 = new PackedMatrix("col1", 64, 96, 104, 29056);
    public static final PackedMatrix COL2 = new PackedMatrix("col2", 16, 64, 72, 35712);
    public static final List<PackedMatrix> MATRICES = List.of(FIRST, AUD2, EYE2, UNC2, SIG1, SIG2, SIG3, COL1, COL2);
    /** Halves of the packed weights (W_TOTAL). */
    public static final int WEIGHT_HALVES = 36864;

    /** A [n][width] fp16 plane starting at {@code start * n} halves. */
    public record Plane(String name, int start, int width) {
    }

    public static final Plane X_ENC = new Plane("enc", 0, 48);
    public static final Plane X_HID = new Plane("hidden", 48, 160);
    public static final Plane X_H0 = new Plane("h0", 208, 80);
    public static final Plane X_S1 = new Plane("s1", 288, 64);
    public static final Plane X_S2 = new Plane("s2", 352, 64);
    public static final Plane X_CIN = new Plane("cin", 416, 96);
    public static final Plane X_C1 = new Plane("c1", 512, 64);
    public static final List<Plane> ACTIVATION_PLANES = List.of(X_ENC, X_HID, X_H0, X_S1, X_S2, X_CIN, X_C1);
    public static final int ACTIVATION_WIDTH = 576;

    public static final Plane G_FIRST = new Plane("g first", 0, 160);
    public static final Plane G_AUD2 = new Plane("g aud2", 160, 32);
    public static final Plane G_EYE2 = new Plane("g eye2", 192, 16);
    public static final Plane G_UNC2 = new Plane("g unc2", 208, 16);
    public static final Plane G_SIG1 = new Plane("g sig1", 224, 64);
    public static final Plane G_SIG2 = new Plane("g sig2", 288, 64);
    public static final Plane G_SIG3 = new Plane("g sig3", 352, 80);
    public static final Plane G_COL1 = new Plane("g col1", 432, 64);
    public static final Plane G_COL2 = new Plane("g col2", 496, 16);
    public static final List<Plane> GRADIENT_PLANES = List.of(G_FIRST, G_AUD2, G_EYE2, G_UNC2, G_SIG1, G_SIG2, G_SIG3,
            G_COL1, G_COL2);
    public static final int GRADIENT_WIDTH = 512;

    /** fp32 values per sample the backward keeps per tile: raw0, colour logits (3), uncertainty logit, attE (7). */
    public static final int EXTRAS = 12;
    /** fp32 values saved per sample: the {@link #EXTRAS}, attA (32) at 12, |attA| at 44, |attE| at 45, padding. */
    public static final int EXTRA_STRIDE = 48;
    /** Per 16-row tile conditioning gradient sums: audio code (32), individual code (4). */
    public static final int COND = 36;
    public static final int ENCODING_WIDTH = 36;
    public static final int SH_WIDTH = 16;

    private static final int SCRATCH_LD = 84;
    /** Per warp, forward: E [16][56], BIG [16][168], H0 [16][88], CIN [16][104] halves + fp32 scratch [16][84]. */
    public static final int FORWARD_WARP_BYTES = 2 * TILE_ROWS * (56 + 168 + 88 + 104) + 4 * TILE_ROWS * SCRATCH_LD;
    /**
     * Per warp, backward: X [16][168], Y [16][88] halves + fp32 scratch [16][84] + encoding gradient [16][36] +
     * the tile's extras, gSigma and gRgb (256 floats).
     */
    public static final int BACKWARD_WARP_BYTES = 2 * TILE_ROWS * (168 + 88) + 4 * TILE_ROWS * (SCRATCH_LD + 36) + 4 * 256;
    public static final int FORWARD_SHARED_BYTES = 2 * WEIGHT_HALVES + WARPS * FORWARD_WARP_BYTES;
    public static final int BACKWARD_SHARED_BYTES = 2 * WEIGHT_HALVES + WARPS * BACKWARD_WARP_BYTES;
    /** Largest dynamic shared memory a block may opt in to on sm_80/sm_90 (227 KiB), less the static 256 bytes. */
    public static final int MAX_DYNAMIC_SHARED_BYTES = 227 * 1024 - 256;

    private FusedHeadLayout() {
    }

    /** The head's dense layers by role (their order in the parameter buffer does not matter here). */
    public record HeadLayers(Layer aud1, Layer aud2, Layer eye1, Layer eye2, Layer sig1, Layer sig2, Layer sig3,
                             Layer col1, Layer col2, Layer unc1, Layer unc2) {
    }

    /** fused_pack_weights' table: {source offset, out, in, destination offset (halves), row stride} per layer. */
    public static int[] packTable(HeadLayers l) {
        int[][] rows = {
                pack(l.aud1(), FIRST, 0), pack(l.eye1(), FIRST, 64), pack(l.unc1(), FIRST, 128),
                pack(l.aud2(), AUD2, 0), pack(l.eye2(), EYE2, 0), pack(l.unc2(), UNC2, 0),
                pack(l.sig1(), SIG1, 0), pack(l.sig2(), SIG2, 0), pack(l.sig3(), SIG3, 0),
                pack(l.col1(), COL1, 0), pack(l.col2(), COL2, 0)};
        return flatten(rows);
    }

    private static int[] pack(Layer layer, PackedMatrix m, int firstRow) {
        if (layer.in() > m.cols() || firstRow + layer.out() > m.rows()) {
            throw new IllegalArgumentException("layer " + layer.in() + " -> " + layer.out() + " does not fit packed matrix "
                    + m.name() + " (" + m.rows() + " x " + m.cols() + ") at row " + firstRow);
        }
        return new int[] {Math.toIntExact(layer.offset()), layer.out(), layer.in(), m.offset() + firstRow * m.ld(), m.ld()};
    }

    /**
     * fused_weight_grad's table: per layer {G plane start, G width, G column, out, X plane start, X width,
     * X column, in, gradient offset (floats)}.
     */
    public static int[] weightGradTable(HeadLayers l) {
        int[][] rows = {
                grad(G_FIRST, 0, l.aud1(), X_ENC, 0), grad(G_FIRST, 64, l.eye1(), X_ENC, 0),
                grad(G_FIRST, 128, l.unc1(), X_ENC, 0),
                grad(G_AUD2, 0, l.aud2(), X_HID, 0), grad(G_EYE2, 0, l.eye2(), X_HID, 64),
                grad(G_UNC2, 0, l.unc2(), X_HID, 128),
                grad(G_SIG1, 0, l.sig1(), X_H0, 0), grad(G_SIG2, 0, l.sig2(), X_S1, 0), grad(G_SIG3, 0, l.sig3(), X_S2, 0),
                grad(G_COL1, 0, l.col1(), X_CIN, 0), grad(G_COL2, 0, l.col2(), X_C1, 0)};
        return flatten(rows);
    }

    private static int[] grad(Plane g, int gColumn, Layer layer, Plane x, int xColumn) {
        if (gColumn + tiles16(layer.out()) > g.width() || xColumn + tiles16(layer.in()) > x.width()) {
            throw new IllegalArgumentException("layer " + layer.in() + " -> " + layer.out() + " overruns plane " + g.name()
                    + " or " + x.name());
        }
        if (tiles16(layer.out()) / 16 * (tiles16(layer.in()) / 16) > 3 * WARPS) {
            throw new IllegalArgumentException("layer " + layer.in() + " -> " + layer.out()
                    + " has more 16x16 gradient tiles than 3 per warp");
        }
        return new int[] {g.start(), g.width(), gColumn, layer.out(), x.start(), x.width(), xColumn, layer.in(),
                Math.toIntExact(layer.offset())};
    }

    /** {@code v} rounded up to a multiple of 16. */
    public static int tiles16(int v) {
        return (v + 15) / 16 * 16;
    }

    private static int[] flatten(int[][] rows) {
        int width = rows[0].length;
        int[] flat = new int[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    /** Persistent grid of the fused kernels: one block per multiprocessor, no more than the tiles need. */
    public static int fusedBlocks(long samples, int multiprocessors) {
        long tiles = (samples + TILE_ROWS - 1) / TILE_ROWS;
        long blocks = (tiles + WARPS - 1) / WARPS;
        return (int) Math.max(1, Math.min(blocks, multiprocessors));
    }
}
