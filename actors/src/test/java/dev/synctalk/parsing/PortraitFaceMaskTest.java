package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PortraitFaceMaskTest {
    @Test
    void faceImageIsBlueOnTheFaceWhiteElsewhereAndReachesBelowTheChin() {
        int w = 256;
        int h = 256;
        FaceOutline face = FaceOutline.of(SyntheticFaces.ellipse(0, w, h, 128, 110, 50, 60), w, h);
        RgbImage image = PortraitFaceMask.of(face, w, h);
        int centre = 110 * w + 128;
        assertEquals(255, image.channel(centre, 2), "blue channel stays 255");
        assertTrue(PortraitFaceMask.weight(image, centre) > 0.99, "face centre weight 1");
        assertTrue(PortraitFaceMask.weight(image, 10 * w + 10) < 0.01, "corner weight 0");
        // The reference extends the chin by 10 rows at 512 x 512, 5 rows here: 3 rows below the chin (170) in
        // the middle column the weight is still high, while beside the chin at the same height it is low.
        assertTrue(PortraitFaceMask.weight(image, 173 * w + 128) > 0.5, "chin extension");
        assertTrue(PortraitFaceMask.weight(image, 173 * w + 60) < 0.05, "no extension at the face's sides");
    }
}
