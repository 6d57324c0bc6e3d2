package dev.synctalk.eval;

import dev.synctalk.audio.MelWindow;
import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.dataset.FramePose;
import dev.synctalk.dataset.SyncTalkDataset;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.training.AudioFeatureKind;
import dev.synctalk.training.DatasetAudioFeatures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Each frame's own speech as the head renders it: for position k of a dataset split, the log-mel window
 * of its aud_id (aud.wav through the log-mel stage's settings), emitted as frame k. Fed to head-render
 * with the same split, frame k is then rendered with that frame's pose, expression and audio, and the
 * render's attention window (frames k-4 .. k+3) spans the split's neighbouring frames, zero past the
 * split's ends, as the reference's loader builds it for a split.
 */
public final class DatasetMelWindowsStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder (aud.wav, transforms_*.json)") Path dataset,
            @Param(defaultValue = "val", doc = "whose frames: train, val or all") DatasetSequence.Selection split) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("dataset-mel-windows", "the log-mel window of each dataset frame's own audio, in split order",
                    Config.class, List.of(),
                    List.of(PortSpec.of("windows", MelWindow.class, "window k = the audio of the split's frame k")));
        }

        @Override
        public Stage create(Config config, StageContext context) throws IOException {
            return new DatasetMelWindowsStage(config, context);
        }
    }

    private final StageContext context;
    private final List<FramePose> frames;
    private final DatasetAudioFeatures features;
    private long next;

    private DatasetMelWindowsStage(Config config, StageContext context) throws IOException {
        this.context = context;
        String name = "dataset-mel-windows '" + context.stageName() + "'";
        SyncTalkDataset dataset;
        try {
            dataset = DatasetReader.read(config.dataset());
        } catch (DatasetException e) {
            throw new DatasetException(name + ": " + e.getMessage(), e);
        }
        this.frames = DatasetSequence.frames(dataset, config.split());
        if (frames.isEmpty()) {
            throw new DatasetException(name + ": dataset " + config.dataset() + " has no "
                    + config.split().name().toLowerCase() + " frames");
        }
        this.features = DatasetAudioFeatures.load(config.dataset(), AudioFeatureKind.MEL);
        int[] shape = features.frameShape();
        if (shape.length != 2) {
            throw new IllegalStateException(name + ": log-mel features must be [mels, frames], got "
                    + java.util.Arrays.toString(shape));
        }
        for (FramePose f : frames) {
            if (f.audioId() >= features.frameCount()) {
                throw new DatasetException(name + ": img_id " + f.imageId() + " speaks aud_id " + f.audioId() + " but "
                        + config.dataset().resolve("aud.wav") + " covers " + features.frameCount() + " frames");
            }
        }
        context.progress().total(frames.size(), "windows");
    }

    @Override
    public void seek(long fromFrameIndex) {
        next = Math.max(0, Math.min(fromFrameIndex, frames.size()));
        context.progress().total(frames.size() - next, "windows");
    }

    @Override
    public boolean produce(Emitter out) {
        if (next >= frames.size()) {
            return false;
        }
        int[] shape = features.frameShape();
        out.emit("windows", new MelWindow(next, shape[0], shape[1], features.window(frames.get((int) next).audioId(), 1)));
        next++;
        context.progress().advance(1);
        return next < frames.size();
    }
}
