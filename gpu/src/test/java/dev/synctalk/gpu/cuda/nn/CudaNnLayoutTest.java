package dev.synctalk.gpu.cuda.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void sharedGradientGroupsSplitSyncTalksLevelsIntoFourGroupsOfThreeWithinCapacity() {
        HashGrid2D grid = HashGrid2D.syncTalkPlane(1f);
        int capacity = 200 * 1024 / Float.BYTES;
        int starts = CudaNn.sharedGradientGroups(grid, capacity);
        assertEquals(1 | 1 << 3 | 1 << 6 | 1 << 9, starts);
        assertEquals(3 * 16384, CudaNn.largestGroupFloats(grid, starts));
    }

    @Test
    void sharedGradientGroupsCoverEveryLevelOnceAndEachGroupFits() {
        HashGrid2D grid = new HashGrid2D(7, 2, 16, 12, 300.0, 1f);
        int capacity = 9000;
        int starts = CudaNn.sharedGradientGroups(grid, capacity);
        assertEquals(1, starts & 1, "the first group starts at level 0");
        assertEquals(0, starts >>> grid.levels(), "no group starts past the last level");
        long group = 0;
        for (int l = 0; l < grid.levels(); l++) {
            if (((starts >> l) & 1) != 0) {
                group = 0;
            }
            group += (long) grid.levelRows(l) * grid.featuresPerLevel();
            assertTrue(group <= capacity, "group ending at level " + l + " holds " + group + " floats");
        }
        assertTrue(CudaNn.largestGroupFloats(grid, starts) <= capacity);
    }

    @Test
    void aLevelLargerThanTheSharedCapacityHasNoSharedGradientPlan() {
        HashGrid2D grid = HashGrid2D.syncTalkPlane(1f);
        assertEquals(0, CudaNn.sharedGradientGroups(grid, grid.levelRows(grid.levels() - 1) - 1));
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
