package dev.synctalk.parsing;

import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.SyntheticMedia;
import dev.synctalk.testing.TestStageContext;
import dev.synctalk.video.VideoDecodeStage;
import dev.synctalk.video.VideoFrame;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Decoded frames of the shared sample videos (tests skip when the data is absent). */
final class SampleFrames {
    private SampleFrames() {
    }

    /** The first {@code count} frames of the named sample video, keeping only those in {@code keep} when given. */
    static List<VideoFrame> decode(String video, int count, Set<Long> keep, Path runDir) throws Exception {
        Path file = SyntheticMedia.sharedData(video);
        var stage = new VideoDecodeStage.Type().create(
                Configs.of(VideoDecodeStage.Config.class, Map.of("path", file, "maxFrames", count)),
                new TestStageContext("decode", runDir));
        try (stage) {
            List<VideoFrame> frames = Collected.drain(stage, "frames", VideoFrame.class);
            return keep == null ? frames : frames.stream().filter(f -> keep.contains(f.frameIndex())).toList();
        }
    }
}
