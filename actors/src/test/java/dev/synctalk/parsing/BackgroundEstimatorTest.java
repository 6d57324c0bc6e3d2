package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackgroundEstimatorTest {

    private static double meanAbsError(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
        }
        return sum / a.rgb().length;
    }

    @Test
    void backgroundOfStaticSceneIsRecovered() {
        SyntheticScene scene = new SyntheticScene(3);
        List<RgbImage> samples = new ArrayList<>();
        List<FaceOutline> outlines = new ArrayList<>();
        for (int i = 0; i < SyntheticScene.FACE_X.length; i++) {
            double cx = SyntheticScene.FACE_X[i];
            samples.add(scene.frame(cx, i));
            outlines.add(FaceOutline.of(SyntheticScene.landmarks(i, cx), SyntheticScene.WIDTH, SyntheticScene.HEIGHT));
        }
        PersonSegmenter segmenter = new PersonSegmenter(PersonSegmenter.Settings.defaults());
        BackgroundEstimator.Estimate estimate = new BackgroundEstimator(segmenter, 2, 2).estimate(samples, outlines);

        double error = meanAbsError(estimate.background(), scene.background());
        assertTrue(error < 2.0, "mean absolute error " + error + " levels");
        assertTrue(estimate.observedFraction() > 0.95, "the moving person uncovers the whole background: "
                + estimate.observedFraction());
        double medianError = meanAbsError(BackgroundEstimator.temporalMedian(samples), scene.background());
        assertTrue(error * 4 < medianError, "the plain median shows the person where it stands most of the time ("
                + medianError + "), masking the person does not (" + error + ")");
    }

    @Test
    void pixelsNeverSeenAreFilledFromTheNearestSeenPixel() {
        int w = 8;
        int h = 4;
        byte[] rgb = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++) {
            rgb[3 * p] = (byte) (p % w * 10);
        }
        RgbImage image = new RgbImage(w, h, rgb);
        byte[] person = new byte[w * h];
        for (int y = 0; y < h; y++) {
            person[y * w + 6] = 1;
            person[y * w + 7] = 1;
        }
        BackgroundEstimator.Estimate estimate = BackgroundEstimator.fromPersonMasks(List.of(image), List.of(person), 0.5);
        for (int y = 0; y < h; y++) {
            assertEquals(0, estimate.observed()[y * w + 7]);
            assertEquals(50, estimate.background().channel(y * w + 7, 0), "column 7 takes column 5's colour");
            assertEquals(30, estimate.background().channel(y * w + 3, 0), "seen pixels keep their colour");
        }
    }
}
