package dev.synctalk.portrait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.TinyDatasets;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.journal.PayloadCodec;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortraitMergeStageTest {
    static final int W = TinyDatasets.WIDTH;
    static final int H = TinyDatasets.HEIGHT;

    @TempDir
    Path tmp;

    static RenderedFrame flat(long index, float value) {
        float[] rgb = new float[W * H * 3];
        java.util.Arrays.fill(rgb, value);
        return new RenderedFrame(index, W, H, rgb);
    }

    /** Dataset of 11 frames (train = img_id 0..9) whose face masks cover the left half of the image. */
    private Path datasetWithMasks() throws Exception {
        Path dir = tmp.resolve("d");
        TinyDatasets.write(dir, 11);
        DatasetLayout layout = new DatasetLayout(dir);
        float[] weights = new float[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W / 2; x++) {
                weights[y * W + x] = x == W / 2 - 1 ? 0.6f : 1f;
            }
        }
        FloatImage maskImage = new FaceMask(W, H, weights).toMaskImage();
        for (int i = 0; i < 10; i++) {
            if (i != 7) {
                ImageFiles.write(layout.faceMask(i), maskImage);
            }
        }
        return dir;
    }

    private Stage stage(Path dir) throws Exception {
        return new PortraitMergeStage.Type().create(Configs.of(PortraitMergeStage.Config.class,
                Map.of("dataset", dir, "split", DatasetSequence.Selection.TRAIN)), new TestStageContext("portrait", tmp));
    }

    @Test
    void mergedFramesKeepTheOriginalOutsideTheFaceMask() throws Exception {
        Stage stage = stage(datasetWithMasks());
        Collected<RenderedFrame> out = new Collected<>("out", RenderedFrame.class);
        stage.process(new Inputs(3, Map.<String, Indexed>of("rendered", flat(3, 1f), "original", flat(3, 0f))), out);
        RenderedFrame merged = out.messages.get(0);
        assertEquals(3, merged.frameIndex());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                float v = merged.rgb()[(y * W + x) * 3];
                float expected = x < W / 2 - 1 ? 1f : x == W / 2 - 1 ? 0.6f : 0f;
                assertEquals(expected, v, 0.5f / 255, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void missingFaceMaskNamesTheFileAndFrame() throws Exception {
        Stage stage = stage(datasetWithMasks());
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> stage.process(new Inputs(7,
                Map.<String, Indexed>of("rendered", flat(7, 1f), "original", flat(7, 0f))), new Collected<>("out",
                        RenderedFrame.class)));
        assertTrue(e.getFile().endsWith("parsing/7_face.png"), e.getFile());
        assertTrue(e.getReason().contains("frame 7 needs the face mask of img_id 7"), e.getReason());
    }

    @Test
    void renderedFramesSurviveTheJournalCodec() {
        PayloadCodec<RenderedFrame> codec = PayloadCodecs.discover().forType(RenderedFrame.class);
        RenderedFrame frame = flat(5, 0.25f);
        frame.rgb8()[7] = (byte) 200;
        assertEquals(frame, codec.decode(codec.encode(frame)));
    }
}
