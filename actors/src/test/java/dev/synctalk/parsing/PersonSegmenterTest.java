package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PersonSegmenterTest {
    /** Stated bound: GrabCut against a clean background recovers the drawn person to within a few edge pixels. */
    private static final double MIN_IOU = 0.9;

    @Test
    void personMaskCoversTheSyntheticPersonWithIoUAbove() {
        SyntheticScene scene = new SyntheticScene(5);
        PersonSegmenter segmenter = new PersonSegmenter(PersonSegmenter.Settings.defaults());
        for (double cx : new double[] {50, 80, 110}) {
            RgbImage frame = scene.frame(cx, 11);
            FaceOutline face = FaceOutline.of(SyntheticScene.landmarks(0, cx), SyntheticScene.WIDTH, SyntheticScene.HEIGHT);
            byte[] mask = segmenter.segment(frame, scene.background(), face);
            double iou = SyntheticScene.iou(mask, SyntheticScene.personMask(cx));
            assertTrue(iou > MIN_IOU, "IoU " + iou + " at face x " + cx);
        }
    }

    @Test
    void withoutABackgroundTheLayoutPriorStillFindsThePerson() {
        SyntheticScene scene = new SyntheticScene(6);
        double cx = 80;
        FaceOutline face = FaceOutline.of(SyntheticScene.landmarks(0, cx), SyntheticScene.WIDTH, SyntheticScene.HEIGHT);
        byte[] mask = new PersonSegmenter(PersonSegmenter.Settings.defaults()).segment(scene.frame(cx, 2), null, face);
        double iou = SyntheticScene.iou(mask, SyntheticScene.personMask(cx));
        assertTrue(iou > 0.6, "IoU " + iou + " from the landmark layout prior and colour alone");
    }
}
