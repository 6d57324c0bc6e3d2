package dev.synctalk.service.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.service.session.ClientQueue;
import dev.synctalk.service.session.LiveMp4;
import dev.synctalk.testing.Collected;
import dev.synctalk.testing.Configs;
import dev.synctalk.testing.TestStageContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamEncodeStageTest {
    @TempDir
    Path dir;

    @Test
    void framesBecomeJpegsWithTheirAudioAndALiveMp4ThatLateViewersCanPlay() throws Exception {
        Stage encode = new StreamEncodeStage.Type().create(Configs.of(StreamEncodeStage.Config.class,
                Map.of("mp4", true)), new TestStageContext("encode", dir));
        Collected<StreamPacket> out = new Collected<>("packets", StreamPacket.class);
        LiveMp4 live = new LiveMp4(1000);
        ClientQueue<byte[]> early = live.join(false, 0);
        ClientQueue<byte[]> late = null;
        for (int i = 0; i < 75; i++) {
            float[] rgb = new float[32 * 32 * 3];
            java.util.Arrays.fill(rgb, (i % 25) / 25f);
            float[] pcm = new float[640];
            java.util.Arrays.fill(pcm, 0.01f * (i % 7));
            encode.process(new Inputs(i, Map.of("frames", new RenderedFrame(i, 32, 32, rgb),
                    "timeline", new SessionTick(i, SessionTick.Kind.SPEECH, 16_000, pcm, 0, 0))), out);
            live.append(out.messages.get(out.messages.size() - 1).mp4());
            if (i == 30) {
                late = live.join(false, 0);
            }
        }
        encode.finish(out);
        StreamPacket tail = out.messages.get(out.messages.size() - 1);
        assertTrue(tail.isMp4Tail());
        live.append(tail.mp4());
        live.close();
        encode.close();

        StreamPacket p = out.messages.get(10);
        assertEquals(10, p.frameIndex());
        assertEquals(400_000, p.ptsMicros());
        BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(p.jpeg()));
        assertEquals(32, jpeg.getWidth());
        assertEquals(640, p.tick().samples().length);

        for (ClientQueue<byte[]> viewer : java.util.List.of(early, late)) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            for (Optional<byte[]> b = viewer.take().toCompletableFuture().join(); b.isPresent();
                 b = viewer.take().toCompletableFuture().join()) {
                file.writeBytes(b.get());
            }
            Path mp4 = Files.write(dir.resolve("viewer-" + System.identityHashCode(viewer) + ".mp4"), file.toByteArray());
            try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
                g.start();
                assertEquals("h264", g.getVideoCodecName());
                int frames = 0;
                while (g.grabImage() != null) {
                    frames++;
                }
                assertTrue(viewer == early ? frames == 75 : frames > 0 && frames < 75,
                        "the early viewer sees every frame, the late one from its first fragment: " + frames);
            }
        }
    }
}
