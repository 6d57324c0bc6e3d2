package dev.synctalk.gpu.cuda.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.synctalk.gpu.encoding.HashGrid2D;
import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.mlp.Activation;

/** The host-side tables the kernels read, checked without a GPU. */
class CudaNnLayoutTest {

    @Test
    void levelTableCarriesEachLevelsGeometryAsHashgridCuReadsIt() {
        HashGrid2D grid = HashGrid2D.syncTalkPlane(1f);
        int[] table = CudaNn.levelTable(grid);
        assertEquals(5 * grid.levels(), table.length);
        for (int l = 0; l < grid.levels(); l++) {
            assertEquals(grid.levelOffset(l), table[5 * l], "offset of level " + l);
            assertEquals(grid.levelRows(l), table[5 * l + 1], "rows of level " + l);
            assertEquals(grid.levelResolution(l) + 1, table[5 * l + 2], "side of level " + l);
            assertEquals(grid.isDenseLevel(l) ? 1 : 0, table[5 * l + 3], "dense flag of level " + l);
            assertEquals(grid.levelScale(l), Float.intBitsToFloat(table[5 * l + 4]), "scale of level " + l);
        }
    }

    @Test
    void triPlaneAxesPackTheEncodersPlaneOrder() {
        for (int p = 0; p < TriPlaneEncoder.PLANES; p++) {
            assertEquals(TriPlaneEncoder.axisX(p), (CudaNn.TRI_PLANE_AXES >> (4 * p)) & 3, "x axis of plane " + p);
            assertEquals(TriPlaneEncoder.axisY(p), (CudaNn.TRI_PLANE_AXES >> (4 * p + 2)) & 3, "y axis of plane " + p);
        }
    }

    @Test
    void everyActivationHasTheKernelCodeRenderCuSwitchesOn() {
        assertEquals(0, CudaNn.activationCode(new Activation.Identity()));
        assertEquals(1, CudaNn.activationCode(new Activation.Relu()));
        assertEquals(2, CudaNn.activationCode(new Activation.LeakyRelu(0.02f)));
        assertEquals(3, CudaNn.activationCode(new Activation.Sigmoid()));
        assertEquals(4, CudaNn.activationCode(new Activation.Softplus()));
        assertEquals(5, CudaNn.activationCode(new Activation.TruncExp()));
    }

    @Test
    void deviceViewsRejectNegativeOffsetsAndAdvanceInFloats() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceView(null, -1));
        assertEquals(12, DeviceView.absent().plus(12).offset());
    }
}
