package dev.synctalk.gpu.cuda.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.synctalk.gpu.cuda.head.FusedHeadLayout.PackedMatrix;
import dev.synctalk.gpu.cuda.head.FusedHeadLayout.Plane;
import dev.synctalk.gpu.cuda.head.FusedHeadLayout.Layer;

/** fusedhead.cu's layouts as the host builds them, checked without a GPU. */
class FusedHeadLayoutTest {

    private static final FusedHeadLayout.HeadLayers HEAD = headLayers();

    private static FusedHeadLayout.HeadLayers headLayers() {
        int[][] shapes = {{36, 64}, {64, 32}, {36, 64}, {64, 7}, {75, 64}, {64, 64}, {64, 65}, {84, 64}, {64, 3},
                {36, 32}, {32, 1}};
        Layer[] l = new Layer[shapes.length];
        long offset = 0;
        for (int i = 0; i < shapes.length; i++) {
            l[i] = new Layer(shapes[i][0], shapes[i][1], offset);
            offset += (long) shapes[i][0] * shapes[i][1];
        }
        return new FusedHeadLayout.HeadLayers(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10]);
    }

    @Test
    void packedMatricesTileTheWeightBlockWithoutGapsAndStay32ByteAligned() {
        int next = 0;
        for (PackedMatrix m : FusedHeadLayout.MATRICES) {
            assertEquals(next, m.offset(), m.name() + " starts where the previous matrix ends");
            assertEquals(m.cols() + FusedHeadLayout.ROW_PAD, m.ld(), m.name() + " row stride is cols + pad");
            assertEquals(0, m.rows() % 16, m.name() + " rows are whole 16-row tiles");
            assertEquals(0, m.cols() % 16, m.name() + " columns are whole 16-column tiles");
            assertEquals(0, (2 * m.offset()) % 32, m.name() + " base is 32-byte aligned for wmma loads");
            next += m.halves();
        }
        assertEquals(FusedHeadLayout.WEIGHT_HALVES, next);
    }

    @Test
    void planesTileTheirRowsAndKeepSixteenByteVectorsAligned() {
        assertContiguous(FusedHeadLayout.ACTIVATION_PLANES, FusedHeadLayout.ACTIVATION_WIDTH);
        assertContiguous(FusedHeadLayout.GRADIENT_PLANES, FusedHeadLayout.GRADIENT_WIDTH);
    }

    private static void assertContiguous(List<Plane> planes, int total) {
        int next = 0;
        for (Plane p : planes) {
            assertEquals(next, p.start(), p.name() + " starts after the previous plane");
            assertEquals(0, p.width() % 16, p.name() + " width is whole 16-column tiles");
            next += p.width();
        }
        assertEquals(total, next);
    }

    @Test
    void sharedMemoryOfBothKernelsFitsOneBlockPerMultiprocessor() {
        assertEquals(73_728 + 8 * 18_688, FusedHeadLayout.FORWARD_SHARED_BYTES);
        assertEquals(73_728 + 8 * 16_896, FusedHeadLayout.BACKWARD_SHARED_BYTES);
        assertTrue(FusedHeadLayout.FORWARD_SHARED_BYTES <= FusedHeadLayout.MAX_DYNAMIC_SHARED_BYTES);
        assertTrue(FusedHeadLayout.BACKWARD_SHARED_BYTES <= FusedHeadLayout.MAX_DYNAMIC_SHARED_BYTES);
        assertEquals(0, FusedHeadLayout.FORWARD_WARP_BYTES % 32, "per-warp regions keep 32-byte alignment");
        assertEquals(0, FusedHeadLayout.BACKWARD_WARP_BYTES % 32, "per-warp regions keep 32-byte alignment");
    }

    @Test
    void packTablePlacesTheThreeEncodingHeadsAsRowBlocksOfOneMatrix() {
        int[] t = FusedHeadLayout.packTable(HEAD);
        assertEquals(11 * 5, t.length);
        // aud1 rows 0..63, eye1 rows 64..127, unc1 rows 128..159 of the first matrix
        assertEquals(0, t[3]);
        assertEquals(64 * FusedHeadLayout.FIRST.ld(), t[5 + 3]);
        assertEquals(128 * FusedHeadLayout.FIRST.ld(), t[10 + 3]);
        assertEquals((int) HEAD.eye1().offset(), t[5]);
        assertEquals(FusedHeadLayout.COL1.offset(), t[9 * 5 + 3]);
        assertEquals(84, t[9 * 5 + 2], "colour net input width");
        for (int i = 0; i < 11; i++) {
            int rowStride = t[5 * i + 4];
            assertTrue(t[5 * i + 2] <= rowStride - FusedHeadLayout.ROW_PAD, "layer " + i + " input fits its row");
        }
    }

    @Test
    void weightGradTableReadsEachLayersColumnsOfItsPlanes() {
        int[] t = FusedHeadLayout.weightGradTable(HEAD);
        assertEquals(11 * 9, t.length);
        // eye2: gradient plane g eye2, input plane "hidden" from column 64, 64 -> 7, written at eye2's offset
        int[] eye2 = java.util.Arrays.copyOfRange(t, 4 * 9, 5 * 9);
        assertEquals(FusedHeadLayout.G_EYE2.start(), eye2[0]);
        assertEquals(7, eye2[3]);
        assertEquals(FusedHeadLayout.X_HID.start(), eye2[4]);
        assertEquals(64, eye2[6]);
        assertEquals((int) HEAD.eye2().offset(), eye2[8]);
    }

    @Test
    void aLayerTooWideForItsPackedSlotIsRejected() {
        Layer wide = new Layer(97, 64, 0);
        FusedHeadLayout.HeadLayers bad = new FusedHeadLayout.HeadLayers(HEAD.aud1(), HEAD.aud2(), HEAD.eye1(),
                HEAD.eye2(), HEAD.sig1(), HEAD.sig2(), HEAD.sig3(), wide, HEAD.col2(), HEAD.unc1(), HEAD.unc2());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusedHeadLayout.packTable(bad));
        assertTrue(e.getMessage().contains("col1"), e.getMessage());
    }

    @Test
    void persistentGridNeverExceedsOneBlockPerMultiprocessorNorTheTilesNeeded() {
        assertEquals(132, FusedHeadLayout.fusedBlocks(1 << 20, 132));
        assertEquals(1, FusedHeadLayout.fusedBlocks(1, 132));
        assertEquals(2, FusedHeadLayout.fusedBlocks(16 * 8 + 1, 132));
    }

    @Test
    void hostConstantsEqualTheKernelSourcesDefines() throws Exception {
        Path source = Path.of(System.getProperty("synctalk.repo.dir", ".."), "gpu/src/main/cuda/fusedhead.cu");
        if (!Files.exists(source)) {
            source = Path.of("src/main/cuda/fusedhead.cu");
        }
        String cu = Files.readString(source);
        assertEquals(FusedHeadLayout.WARPS, define(cu, "FH_WARPS"));
        assertEquals(FusedHeadLayout.WEIGHT_HALVES, define(cu, "W_TOTAL"));
        assertEquals(FusedHeadLayout.ACTIVATION_WIDTH, define(cu, "X_TOTAL"));
        assertEquals(FusedHeadLayout.GRADIENT_WIDTH, define(cu, "G_TOTAL"));
        assertEquals(FusedHeadLayout.EXTRAS, define(cu, "EXTRAS"));
        assertEquals(FusedHeadLayout.EXTRA_STRIDE, define(cu, "EXTRA_STRIDE"));
        assertEquals(FusedHeadLayout.COND, define(cu, "COND"));
        String[] matrices = {"W_FIRST", "W_AUD2", "W_EYE2", "W_UNC2", "W_SIG1", "W_SIG2", "W_SIG3", "W_COL1", "W_COL2"};
        for (int i = 0; i < matrices.length; i++) {
            assertEquals(FusedHeadLayout.MATRICES.get(i).offset(), define(cu, matrices[i]), matrices[i]);
        }
        String[] xPlanes = {"X_ENC", "X_HID", "X_H0", "X_S1", "X_S2", "X_CIN", "X_C1"};
        for (int i = 0; i < xPlanes.length; i++) {
            assertEquals(FusedHeadLayout.ACTIVATION_PLANES.get(i).start(), define(cu, xPlanes[i]), xPlanes[i]);
        }
        String[] gPlanes = {"G_FIRST", "G_AUD2", "G_EYE2", "G_UNC2", "G_SIG1", "G_SIG2", "G_SIG3", "G_COL1", "G_COL2"};
        for (int i = 0; i < gPlanes.length; i++) {
            assertEquals(FusedHeadLayout.GRADIENT_PLANES.get(i).start(), define(cu, gPlanes[i]), gPlanes[i]);
        }
    }

    private static int define(String cu, String name) {
        Matcher m = Pattern.compile("#define " + name + " (\\d+)").matcher(cu);
        assertTrue(m.find(), "fusedhead.cu defines " + name);
        return Integer.parseInt(m.group(1));
    }
}
