package dev.synctalk.sync;

import dev.synctalk.audio.WavWriterStage;
import dev.synctalk.dataset.DatasetLayout;
import dev.synctalk.dataset.Landmarks;
import dev.synctalk.facesync.fixture.TalkingMouthFixture;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import dev.synctalk.output.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes the {@link TalkingMouthFixture} as a clip folder the Face-Sync graphs read (ori_imgs/N.jpg,
 * ori_imgs/N.lms, aud.wav at 16 kHz), so that tests and first-time users run the real loading path.
 */
public final class SyncFixtureClip {
    private SyncFixtureClip() {
    }

    public static void write(Path folder, TalkingMouthFixture fixture) throws IOException {
        DatasetLayout layout = new DatasetLayout(folder);
        TalkingMouthFixture.Config c = fixture.config();
        for (int i = 0; i < c.frames(); i++) {
            TalkingMouthFixture.Frame f = fixture.frames().get(i);
            ImageFiles.write(layout.original(i), new FloatImage(c.width(), c.height(), 3, f.image()));
            Landmarks.write(layout.landmarks(i), f.landmarks());
        }
        float[] audio = fixture.audio();
        ByteBuffer pcm = ByteBuffer.allocate(2 * audio.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : audio) {
            pcm.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
        }
        AtomicFiles.write(layout.audio(), WavWriterStage.wavFile(TalkingMouthFixture.SAMPLE_RATE_HZ, pcm.array()));
    }
}
