package dev.synctalk.portrait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortraitMergeTest {
    static final int W = 48;
    static final int H = 40;

    /** An elliptic face centred at (24, 16). */
    static boolean[] faceRegion() {
        boolean[] face = new boolean[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double dx = (x - 24) / 9.0;
                double dy = (y - 16) / 11.0;
                face[y * W + x] = dx * dx + dy * dy <= 1;
            }
        }
        return face;
    }

    /** The face region softened by a 5x5 box blur: 1 inside, 0 far away, in between at the edge. */
    static FaceMask softMask(boolean[] face) {
        float[] w = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int n = 0;
                for (int dy = -2; dy <= 2; dy++) {
                    for (int dx = -2; dx <= 2; dx++) {
                        int xx = Math.min(W - 1, Math.max(0, x + dx));
                        int yy = Math.min(H - 1, Math.max(0, y + dy));
                        n += face[yy * W + xx] ? 1 : 0;
                    }
                }
                w[y * W + x] = n / 25f;
            }
        }
        return new FaceMask(W, H, w);
    }

    static FloatImage random(long seed) {
        Random random = new Random(seed);
        FloatImage image = FloatImage.blank(W, H, 3);
        for (int i = 0; i < image.data().length; i++) {
            image.data()[i] = random.nextFloat();
        }
        return image;
    }

    @Test
    void mergedFrameDiffersFromTheOriginalOnlyInsideTheMaskSupport() {
        FaceMask mask = softMask(faceRegion());
        FloatImage render = random(1);
        FloatImage original = random(2);
        FloatImage merged = PortraitMerge.merge(render, original, mask);
        int inside = 0;
        int outside = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < 3; c++) {
                    if (mask.at(x, y) == 0f) {
                        outside++;
                        assertEquals(original.get(x, y, c), merged.get(x, y, c), 0f, "outside the mask at " + x + "," + y);
                    } else if (mask.at(x, y) > 1e-3f) {
                        inside++;
                        assertNotEquals(original.get(x, y, c), merged.get(x, y, c), "inside the mask at " + x + "," + y);
                    }
                }
            }
        }
        assertTrue(inside > 300 && outside > 300, "both regions are exercised: " + inside + " / " + outside);
        assertEquals(render.get(24, 16, 0), merged.get(24, 16, 0), 1e-6f, "the face centre comes from the render");
    }

    @Test
    void maskSurvivesTheFaceImageFileWithin8BitPrecision(@TempDir Path tmp) throws Exception {
        FaceMask mask = softMask(faceRegion());
        ImageFiles.write(tmp.resolve("0_face.png"), mask.toMaskImage());
        FaceMask read = FaceMask.read(tmp.resolve("0_face.png"));
        for (int p = 0; p < W * H; p++) {
            assertEquals(mask.weights()[p], read.weights()[p], 0.5f / 255 + 1e-6f, "pixel " + p);
        }
    }
}
