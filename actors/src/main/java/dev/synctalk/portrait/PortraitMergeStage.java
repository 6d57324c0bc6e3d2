package dev.synctalk.portrait;

import dev.synctalk.dataset.DatasetException;
import dev.synctalk.dataset.DatasetReader;
import dev.synctalk.dataset.DatasetSequence;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.render.RenderedFrame;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Portrait mode: merges each rendered frame into the source frame of the same index through the
 * dataset's soft face mask (parsing/N_face.png of the replayed frame), {@code render*m + original*(1-m)}.
 */
public final class PortraitMergeStage implements Stage {

    public record Config(
            @Param(doc = "dataset folder whose parsing/N_face.png masks are used") Path dataset,
            @Param(defaultValue = "val", doc = "which frames are replayed: train, val or all (as the render's poses)")
            DatasetSequence.Selection split) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("portrait-merge", "pastes the rendered face into the source frame through the blurred face mask (portrait mode)",
                    Config.class,
                    List.of(PortSpec.of("rendered", RenderedFrame.class, "the NeRF render of frame i"), PortSpec.of("original", RenderedFrame.class, "the source frame the render is pasted into")),
                    List.of(PortSpec.of("out", RenderedFrame.class, "the merged frame")));
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new PortraitMergeStage(config, context);
        }
    }

    private final StageContext context;
    private final DatasetSequence sequence;

    private PortraitMergeStage(Config config, StageContext context) {
        this.context = context;
        try {
            // Mirrored replay without a fixed length: any frame index maps onto the sequence.
            this.sequence = new DatasetSequence(DatasetReader.read(config.dataset()), config.split(), Long.MAX_VALUE);
        } catch (DatasetException e) {
            throw new DatasetException("portrait-merge '" + context.stageName() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void process(Inputs in, Emitter out) throws IOException {
        RenderedFrame rendered = in.get("rendered", RenderedFrame.class);
        RenderedFrame original = in.get("original", RenderedFrame.class);
        int imageId = sequence.pose(in.frameIndex()).imageId();
        Path maskFile = sequence.dataset().layout().faceMask(imageId);
        FaceMask mask;
        try {
            mask = FaceMask.read(maskFile);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(maskFile.toString(), null, "portrait-merge '" + context.stageName()
                    + "': frame " + in.frameIndex() + " needs the face mask of img_id " + imageId);
        }
        if (mask.width() != rendered.width() || mask.height() != rendered.height()) {
            throw new IllegalArgumentException("portrait-merge '" + context.stageName() + "': frame " + in.frameIndex()
                    + " is " + rendered.width() + "x" + rendered.height() + " but the face mask " + maskFile + " is "
                    + mask.width() + "x" + mask.height());
        }
        out.emit("out", RenderedFrame.of(in.frameIndex(),
                PortraitMerge.merge(rendered.image(), original.image(), mask)));
    }
}
