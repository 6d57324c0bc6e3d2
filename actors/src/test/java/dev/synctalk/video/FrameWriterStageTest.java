package dev.synctalk.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameWriterStageTest {
    @TempDir
    Path runDir;

    private static VideoFrame frame(long index) {
        int width = 40;
        int height = 30;
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * 3;
                rgb[o] = (byte) (x * 6);
                rgb[o + 1] = (byte) (y * 8);
                rgb[o + 2] = (byte) (200 - index * 10);
            }
        }
        return new VideoFrame(index, index * 40_000, width, height, rgb);
    }

    private void write(Map<String, Object> params, List<VideoFrame> frames) throws Exception {
        var stage = new FrameWriterStage.Type().create(Configs.of(FrameWriterStage.Config.class, params),
                new TestStageContext("frames", runDir));
        for (VideoFrame f : frames) {
            stage.process(Inputs.single("in", f), new Collected<>("none", VideoFrame.class));
        }
        stage.finish(new Collected<>("none", VideoFrame.class));
    }

    @Test
    void writesNumberedJpegsUnderTheOutputDirectory() throws Exception {
        write(Map.of(), List.of(frame(0), frame(1), frame(2)));
        Path dir = runDir.resolve("outputs/frames");
        for (int i = 0; i < 3; i++) {
            BufferedImage image = ImageIO.read(dir.resolve(i + ".jpg").toFile());
            assertEquals(40, image.getWidth());
            assertEquals(30, image.getHeight());
            int rgb = image.getRGB(20, 15);
            assertEquals(120, (rgb >> 16) & 0xff, 6.0, "red channel stays red (RGB -> BGR handled)");
            assertEquals(200 - i * 10, rgb & 0xff, 6.0, "blue channel");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void sameFrameGivesTheSameFileBytes() throws Exception {
        byte[] first = FrameWriterStage.encode(frame(4), FrameWriterStage.Format.JPG, 95);
        byte[] second = FrameWriterStage.encode(frame(4), FrameWriterStage.Format.JPG, 95);
        assertArrayEquals(first, second);
        write(Map.of("dir", Path.of("a")), List.of(frame(4)));
        write(Map.of("dir", Path.of("b")), List.of(frame(4)));
        assertArrayEquals(Files.readAllBytes(runDir.resolve("outputs/a/4.jpg")),
                Files.readAllBytes(runDir.resolve("outputs/b/4.jpg")));
        assertTrue(first.length > 100 && (first[0] & 0xff) == 0xff && (first[1] & 0xff) == 0xd8, "a JPEG (SOI marker)");
    }

    @Test
    void jpegQualityChangesTheEncoding() {
        byte[] high = FrameWriterStage.encode(frame(1), FrameWriterStage.Format.JPG, 95);
        byte[] low = FrameWriterStage.encode(frame(1), FrameWriterStage.Format.JPG, 20);
        assertTrue(low.length < high.length, "quality 20 is smaller: " + low.length + " vs " + high.length);
    }

    @Test
    void pngIsLossless() throws Exception {
        VideoFrame original = frame(3);
        write(Map.of("format", FrameWriterStage.Format.PNG, "dir", Path.of("png")), List.of(original));
        BufferedImage image = ImageIO.read(runDir.resolve("outputs/png/3.png").toFile());
        for (int y = 0; y < original.height(); y++) {
            for (int x = 0; x < original.width(); x++) {
                int o = (y * original.width() + x) * 3;
                int expected = ((original.rgb()[o] & 0xff) << 16) | ((original.rgb()[o + 1] & 0xff) << 8)
                        | (original.rgb()[o + 2] & 0xff);
                assertEquals(expected, image.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
            }
        }
    }
}
