package dev.synctalk.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synctalk.testing.Configs;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameResizerTest {

    /** A portrait frame: a 10 px red band at the top and bottom, grey in between. */
    private static VideoFrame portraitFrame(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                boolean band = y < 10 || y >= h - 10;
                rgb[i] = (byte) (band ? 255 : 128);
                rgb[i + 1] = (byte) (band ? 0 : 128);
                rgb[i + 2] = (byte) (band ? 0 : 128);
            }
        }
        return new VideoFrame(3, 120_000, w, h, rgb);
    }

    @Test
    void oddResolutionIsCentreCroppedToTheTargetAspectAndResized() {
        VideoFrame out = FrameResizer.cropAndResize(portraitFrame(578, 770), 256, 256);
        assertEquals(256, out.width());
        assertEquals(256, out.height());
        assertEquals(3, out.frameIndex());
        assertEquals(120_000, out.ptsMicros());
        // The square centre crop drops the red bands at top and bottom: every pixel is grey.
        for (int i = 0; i < out.rgb().length; i++) {
            assertEquals(128, out.rgb()[i] & 0xff, "byte " + i);
        }
    }

    @Test
    void frameOfTheTargetSizeIsKeptAsIs() {
        VideoFrame frame = portraitFrame(64, 48);
        assertSame(frame, FrameResizer.cropAndResize(frame, 64, 48));
    }

    @Test
    void decodeRejectsOddOrHalfGivenOutputSizes() {
        java.nio.file.Path video = java.nio.file.Path.of("x.mp4");
        assertThrows(IllegalArgumentException.class, () -> new VideoDecodeStage.Config(video, 25, 0, 255, 256));
        assertThrows(IllegalArgumentException.class, () -> new VideoDecodeStage.Config(video, 25, 0, 256, 0));
        assertEquals(512, Configs.of(VideoDecodeStage.Config.class, Map.of("path", video, "width", 512,
                "height", 512)).width());
    }
}
