package dev.synctalk.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Stage;
import dev.synctalk.journal.PayloadCodec;
import dev.synctalk.journal.PayloadCodecs;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSourceStageTest {
    @TempDir
    Path tmp;

    private Stage source(Map<String, Object> params) throws Exception {
        DatasetSourceStage.Type type = new DatasetSourceStage.Type();
        return type.create(Configs.of(DatasetSourceStage.Config.class, params), new TestStageContext("data", tmp));
    }

    @Test
    void emitsEveryTrainingFrameWithPoseIdsAndExpression() throws Exception {
        Path dir = tmp.resolve("d");
        TinyDatasets.write(dir, 12);
        List<DatasetFrame> frames = Collected.drain(source(Map.of("dir", dir)), "frames", DatasetFrame.class);
        assertEquals(Split.trainCount(12), frames.size());
        for (int i = 0; i < frames.size(); i++) {
            DatasetFrame f = frames.get(i);
            assertEquals(i, f.frameIndex());
            assertEquals(i, f.imageId());
            assertEquals(i, f.audioId());
            assertEquals(Split.TRAIN, f.split());
            assertArrayEquals(TinyDatasets.pose(i).transformMatrix(), f.transformMatrix());
            assertEquals((float) TinyDatasets.blendshape(i, 9), f.expression()[6], "eyeBlinkRight");
            assertEquals(dir.resolve("gt_imgs").resolve(i + ".jpg"), f.image());
        }
    }

    @Test
    void longerSequencesReplayTheSplitBackAndForth() throws Exception {
        Path dir = tmp.resolve("d");
        TinyDatasets.write(dir, 22); // val = img_id 20, 21
        List<DatasetFrame> frames = Collected.drain(source(Map.of("dir", dir, "split", DatasetSequence.Selection.VAL,
                "frames", 7L)), "frames", DatasetFrame.class);
        assertEquals(List.of(20, 21, 21, 20, 20, 21, 21), frames.stream().map(DatasetFrame::imageId).toList());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), frames.stream().map(DatasetFrame::frameIndex).toList());
        assertTrue(frames.stream().allMatch(f -> f.split() == Split.VAL));
    }

    @Test
    void seekSkipsTheFramesBeforeTheResumePoint() throws Exception {
        Path dir = tmp.resolve("d");
        TinyDatasets.write(dir, 12);
        Stage stage = source(Map.of("dir", dir, "split", DatasetSequence.Selection.ALL));
        stage.seek(9);
        List<DatasetFrame> frames = Collected.drain(stage, "frames", DatasetFrame.class);
        assertEquals(List.of(9L, 10L, 11L), frames.stream().map(DatasetFrame::frameIndex).toList());
        assertEquals(Split.VAL, frames.get(2).split());
    }

    @Test
    void missingDatasetIsReportedWithTheStageName() {
        DatasetException e = assertThrows(DatasetException.class, () -> source(Map.of("dir", tmp.resolve("nope"))));
        assertTrue(e.getMessage().startsWith("dataset-source 'data': dataset folder"), e.getMessage());
    }

    @Test
    void datasetFramesSurviveTheJournalCodec() throws Exception {
        TinyDatasets.write(tmp.resolve("d"), 3);
        DatasetFrame frame = Collected.drain(source(Map.of("dir", tmp.resolve("d"))), "frames", DatasetFrame.class)
                .get(1);
        PayloadCodec<DatasetFrame> codec = PayloadCodecs.discover().forType(DatasetFrame.class);
        assertEquals(frame, codec.decode(codec.encode(frame)));
        assertEquals("dataset-frame", codec.typeName());
    }
}
