package dev.synctalk.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.audio.AudioChunk;
import dev.synctalk.audio.AudioChunkCodec;
import dev.synctalk.audio.MelWindow;
import dev.synctalk.audio.MelWindowCodec;
import dev.synctalk.journal.PayloadCodec;
import dev.synctalk.video.VideoFrame;
import dev.synctalk.video.VideoFrameCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PayloadCodecsTest {
    private final Random random = new Random(1234);

    @Test
    void videoFrameRoundTripsExactlyThroughLosslessCompression() {
        byte[] rgb = new byte[5 * 3 * 3];
        random.nextBytes(rgb);
        VideoFrame frame = new VideoFrame(41, 1_640_000, 5, 3, rgb);
        VideoFrameCodec codec = new VideoFrameCodec();
        byte[] bytes = codec.encode(frame);
        assertEquals(frame, codec.decode(bytes));
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(41, in.getLong());
        assertEquals(1_640_000, in.getLong());
        assertEquals(3, in.getInt(), "height");
        assertEquals(5, in.getInt(), "width");
        assertEquals(bytes.length - 28, in.getInt(), "compressed length");
    }

    @Test
    void smoothVideoFrameCompressesWellBelowRawSize() {
        int w = 256;
        int h = 128;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) x;
                rgb[i + 1] = (byte) (y * 2);
                rgb[i + 2] = (byte) ((x + y) / 2 + random.nextInt(3));
            }
        }
        VideoFrame frame = new VideoFrame(0, 0, w, h, rgb);
        byte[] bytes = new VideoFrameCodec().encode(frame);
        assertTrue(bytes.length < rgb.length / 3, "compressed " + bytes.length + " of " + rgb.length);
        assertEquals(frame, new VideoFrameCodec().decode(bytes));
    }

    @Test
    void corruptVideoFramePayloadIsRejectedWithItsIndex() {
        byte[] bytes = new VideoFrameCodec().encode(new VideoFrame(9, 0, 4, 4, new byte[48]));
        bytes[bytes.length - 2] ^= 0x5a;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VideoFrameCodec().decode(bytes));
        assertTrue(e.getMessage().contains("video-frame 9"), e.getMessage());
    }

    @Test
    void audioChunkRoundTripsExactlyIncludingSpecialFloats() {
        float[] samples = new float[640];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (float) random.nextGaussian();
        }
        samples[0] = -0.0f;
        samples[1] = Float.MIN_VALUE;
        samples[2] = Float.NaN;
        AudioChunk chunk = new AudioChunk(7, 16000, samples);
        AudioChunkCodec codec = new AudioChunkCodec();
        byte[] bytes = codec.encode(chunk);
        assertEquals(chunk, codec.decode(bytes));
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.position(12);
        assertEquals(1, in.getInt());
        assertEquals(640, in.getInt());
        assertEquals(Float.floatToRawIntBits(-0.0f), in.getInt(), "little-endian float32 bits");
    }

    @Test
    void melWindowRoundTripsExactly() {
        float[] data = new float[80 * 16];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 8 - 4;
        }
        MelWindow window = new MelWindow(199, data);
        MelWindowCodec codec = new MelWindowCodec();
        MelWindow decoded = codec.decode(codec.encode(window));
        assertEquals(window, decoded);
        assertArrayEquals(new int[] {80, 16}, decoded.shape());
    }

    @Test
    void truncatedPayloadIsRejected() {
        byte[] bytes = new MelWindowCodec().encode(new MelWindow(3, new float[1280]));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MelWindowCodec().decode(truncated));
        assertEquals(true, e.getMessage().contains("corrupt tensor payload"), e.getMessage());
    }

    @Test
    void codecsAreDiscoverableWithServiceLoader() {
        Map<String, Class<?>> found = new TreeMap<>();
        for (PayloadCodec<?> codec : ServiceLoader.load(PayloadCodec.class)) {
            found.put(codec.typeName(), codec.type());
        }
        assertEquals(VideoFrame.class, found.get("video-frame/2"));
        assertEquals(AudioChunk.class, found.get("audio-chunk"));
        assertEquals(MelWindow.class, found.get("mel-window"));
    }

    @Test
    void facesOfAFrameRoundTripWithAndWithoutFaces() {
        float[] points = new float[dev.synctalk.face.FaceLandmarks.COUNT * 3];
        for (int i = 0; i < points.length; i++) {
            points[i] = random.nextFloat() * 500;
        }
        dev.synctalk.face.FrameFacesCodec codec = new dev.synctalk.face.FrameFacesCodec();
        for (dev.synctalk.face.FrameFaces faces : java.util.List.of(
                new dev.synctalk.face.FrameFaces(7, 512, 480, java.util.List.of()),
                new dev.synctalk.face.FrameFaces(8, 512, 480, java.util.List.of(
                        new dev.synctalk.face.FrameFaces.Face(points, 0.93f),
                        new dev.synctalk.face.FrameFaces.Face(points.clone(), 0.61f))))) {
            assertEquals(faces, codec.decode(codec.encode(faces)));
        }
    }

    @Test
    void parsedFrameRecordsRoundTripWithTheirPaths() {
        float[] oval = new float[dev.synctalk.parsing.FaceOutline.OVAL.length * 2];
        for (int i = 0; i < oval.length; i++) {
            oval[i] = random.nextFloat() * 500;
        }
        dev.synctalk.parsing.FaceOutline face = new dev.synctalk.parsing.FaceOutline(oval);
        java.nio.file.Path kept = java.nio.file.Path.of("runs", "r", "outputs", ".face-parsing-frames-parsing", "3.png");
        for (dev.synctalk.parsing.FrameParsing p : java.util.List.of(
                new dev.synctalk.parsing.FrameParsing(3, 576, 768, face, kept, java.nio.file.Path.of("parsing/3.png")),
                new dev.synctalk.parsing.FrameParsing(3, 576, 768, face, kept, null))) {
            dev.synctalk.parsing.FrameParsing back = new dev.synctalk.parsing.FrameParsing.Codec()
                    .decode(new dev.synctalk.parsing.FrameParsing.Codec().encode(p));
            assertEquals(p.frameIndex(), back.frameIndex());
            assertEquals(p.frameFile(), back.frameFile());
            assertEquals(p.parsingFile(), back.parsingFile());
            assertArrayEquals(oval, back.face().xy());
            dev.synctalk.parsing.FrameOverBackground job = new dev.synctalk.parsing.FrameOverBackground(p,
                    java.nio.file.Path.of("bc.jpg"));
            dev.synctalk.parsing.FrameOverBackground.Codec codec = new dev.synctalk.parsing.FrameOverBackground.Codec();
            dev.synctalk.parsing.FrameOverBackground jobBack = codec.decode(codec.encode(job));
            assertEquals(job.background(), jobBack.background());
            assertEquals(p.parsingFile(), jobBack.parsing().parsingFile());
        }
    }
}
