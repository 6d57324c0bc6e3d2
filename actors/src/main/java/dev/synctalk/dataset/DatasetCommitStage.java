package dev.synctalk.dataset;

import dev.synctalk.audio.AudioChunk;
import dev.synctalk.audio.WavWriterStage;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.natives.NativeStageType;
import dev.synctalk.expression.ExpressionCoeffs;
import dev.synctalk.output.AtomicFiles;
import dev.synctalk.parsing.ParsedFrame;
import dev.synctalk.pose.HeadPose;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last stage of preprocessing: once every frame has its pose, its parsing images and its expression
 * coefficients, writes the speech as {@code aud.wav}, the transforms files, checks the folder with the
 * dataset reader and marks it complete, then draws a contact sheet. Until then the folder has no
 * transforms files, so a failed or interrupted run never leaves something that looks like a dataset.
 */
public final class DatasetCommitStage implements Stage {

    public record Config(
            @Param(defaultValue = "\".\"", doc = "dataset folder, relative to the run's outputs", output = true) Path dir,
            @Param(defaultValue = "16000", doc = "sample rate of the speech in aud.wav, Hz", min = 8000, max = 192000) int sampleRate,
            @Param(defaultValue = "180", doc = "warn when the video is shorter than this, seconds (SyncTalk"
                    + " expects 3-5 minutes of talking)") double minRecommendedSeconds,
            @Param(defaultValue = "25", doc = "video frame rate", min = 1, max = 240) double fps,
            @Param(defaultValue = "\"dataset_contact_sheet.png\"", doc = "contact sheet of frames with"
                    + " landmarks, parsing and pose axes, relative to the dataset folder", output = true) Path contactSheet) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("dataset-commit", "completes a SyncTalk dataset: aud.wav, transforms_train/val.json, checks, contact sheet",
                    Config.class,
                    List.of(PortSpec.of("poses", HeadPose.class, "stabilised head pose per frame"), PortSpec.of("parsed", ParsedFrame.class, "parsing images of the frame are written"), PortSpec.of("expression", ExpressionCoeffs.class, "blendshape coefficients per frame"), PortSpec.of("audio", AudioChunk.class, "the speech, one chunk per frame")),
                    List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new DatasetCommitStage(config, context);
        }
    }

    private final Config config;
    private final StageContext context;
    private final List<HeadPose> poses = new ArrayList<>();
    private final ByteArrayOutputStream pcm = new ByteArrayOutputStream();

    private DatasetCommitStage(Config config, StageContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public void process(Inputs in, Emitter out) {
        long expected = poses.size();
        if (in.frameIndex() != expected) {
            throw new IllegalStateException("dataset-commit: frame " + expected + " is missing (next complete frame is "
                    + in.frameIndex() + "); every frame needs a pose, parsing, expression and audio");
        }
        poses.add(in.get("poses", HeadPose.class));
        AudioChunk chunk = in.get("audio", AudioChunk.class);
        if (chunk.sampleRateHz() != config.sampleRate()) {
            throw new IllegalArgumentException("dataset-commit: audio arrives at " + chunk.sampleRateHz()
                    + " Hz, the dataset's aud.wav is " + config.sampleRate() + " Hz");
        }
        ByteBuffer bytes = ByteBuffer.allocate(chunk.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : chunk.samples()) {
            bytes.putShort(WavWriterStage.toPcm16(s));
        }
        pcm.writeBytes(bytes.array());
    }

    @Override
    public void finish(Emitter out) throws IOException {
        if (poses.isEmpty()) {
            throw new IllegalStateException("dataset-commit: no frame arrived with a pose, parsing, expression"
                    + " and audio; nothing to commit");
        }
        DatasetLayout layout = new DatasetLayout(context.output(config.dir()));
        AtomicFiles.write(layout.audio(), WavWriterStage.wavFile(config.sampleRate(), pcm.toByteArray()));
        int[] size = DatasetContactSheet.imageSize(layout.original(0));
        HeadPose first = poses.get(0);
        CameraIntrinsics camera = new CameraIntrinsics(first.focalPx(), first.focalPx(), first.cx(), first.cy(),
                size[0], size[1]);
        List<FramePose> sequence = new ArrayList<>(poses.size());
        for (HeadPose pose : poses) {
            int id = Math.toIntExact(pose.frameIndex());
            sequence.add(new FramePose(id, id, pose.toTransformMatrix()));
        }
        SyncTalkDataset dataset = DatasetWriter.commitInPlace(layout, camera, sequence);
        double seconds = poses.size() / config.fps();
        if (seconds < config.minRecommendedSeconds()) {
            context.log().warn("dataset-commit: the video is only {} s long; SyncTalk expects 3-5 minutes of"
                    + " talking for a good model (training will work, quality will suffer)",
                    String.format("%.1f", seconds));
        }
        DatasetContactSheet.write(layout.root().resolve(config.contactSheet()), layout, poses, 16);
        context.log().info("dataset-commit: dataset of {} frames ({} train, {} val) complete in {}", poses.size(),
                dataset.train().size(), dataset.val().size(), layout.root());
    }
}
