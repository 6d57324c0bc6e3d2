package dev.synctalk.dataset;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import java.nio.file.Path;
import java.util.List;

/**
 * Source of the frames of a SyncTalk dataset folder (ours or one the Python preprocessing made): one
 * {@link DatasetFrame} per frame with its pose, ids and expression, in transforms-file order.
 */
public final class DatasetSourceStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder (transforms_train.json, gt_imgs/, torso_imgs/, ...)") Path dir,
            @Param(defaultValue = "train", doc = "train, val, or all (train then val)") DatasetSequence.Selection split,
            @Param(defaultValue = "0", doc = "frames to emit; 0 = the split's length, more replays it back and forth")
            long frames) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("dataset-source", "emits the frames of a SyncTalk dataset: pose, img_id, aud_id, expression",
                    Config.class,
                    List.of(),
                    List.of(PortSpec.of("frames", DatasetFrame.class, "one per dataset frame")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new DatasetSourceStage(config, context);
        }
    }

    private final StageContext context;
    private final DatasetSequence sequence;
    private long next;

    private DatasetSourceStage(Config config, StageContext context) {
        this.context = context;
        SyncTalkDataset dataset;
        try {
            dataset = DatasetReader.read(config.dir());
        } catch (DatasetException e) {
            throw new DatasetException("dataset-source '" + context.stageName() + "': " + e.getMessage(), e);
        }
        this.sequence = new DatasetSequence(dataset, config.split(), config.frames());
        context.progress().total(sequence.length(), "frames");
    }

    @Override
    public void seek(long fromFrameIndex) {
        next = Math.max(0, Math.min(fromFrameIndex, sequence.length()));
        context.progress().total(sequence.length() - next, "frames");
    }

    @Override
    public boolean produce(Emitter out) {
        if (next >= sequence.length()) {
            return false;
        }
        out.emit("frames", sequence.frame(next));
        next++;
        context.progress().advance(1);
        return next < sequence.length();
    }
}
