package dev.synctalk.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Message types and codecs the tests journal, standing in for the real ones of other modules. */
final class TestMessages {

    private TestMessages() {
    }

    /** Audio-feature-like message: a float tensor per frame. */
    record FeatureWindow(TensorWire.Tensor features) {
    }

    /** Video-frame-like message: a uint8 HxWxC image. */
    record ImageFrame(TensorWire.ByteTensor pixels) {
    }

    /** A small message without tensors. */
    record Note(String text) {
    }

    /** Marker interface to check codec lookup through a supertype. */
    interface Event {
    }

    record Started(String stage) implements Event {
    }

    static final class FeatureWindowCodec implements PayloadCodec<FeatureWindow> {
        @Override
        public String typeName() {
            return "test.FeatureWindow/1";
        }

        @Override
        public Class<FeatureWindow> type() {
            return FeatureWindow.class;
        }

        @Override
        public byte[] encode(FeatureWindow value) {
            ByteBuffer out = ByteBuffer.allocate(TensorWire.byteSize(value.features().shape()));
            TensorWire.writeFloats(out, value.features().shape(), value.features().data());
            return out.array();
        }

        @Override
        public FeatureWindow decode(byte[] bytes) {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            FeatureWindow window = new FeatureWindow(TensorWire.readFloats(in));
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the tensor");
            }
            return window;
        }
    }

    static final class ImageFrameCodec implements PayloadCodec<ImageFrame> {
        @Override
        public String typeName() {
            return "test.ImageFrame/1";
        }

        @Override
        public Class<ImageFrame> type() {
            return ImageFrame.class;
        }

        @Override
        public byte[] encode(ImageFrame value) {
            ByteBuffer out = ByteBuffer.allocate(TensorWire.byteTensorSize(value.pixels().shape()));
            TensorWire.writeBytes(out, value.pixels().shape(), value.pixels().data());
            return out.array();
        }

        @Override
        public ImageFrame decode(byte[] bytes) {
            return new ImageFrame(TensorWire.readBytes(ByteBuffer.wrap(bytes)));
        }
    }

    /** Public, as ServiceLoader needs, because the service file in test resources lists it. */
    public static final class NoteCodec implements PayloadCodec<Note> {
        @Override
        public String typeName() {
            return "test.Note/1";
        }

        @Override
        public Class<Note> type() {
            return Note.class;
        }

        @Override
        public byte[] encode(Note value) {
            return value.text().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Note decode(byte[] bytes) {
            return new Note(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** Encodes any {@link Event}; registered for the interface, not for the record classes. */
    static final class EventCodec implements PayloadCodec<Event> {
        @Override
        public String typeName() {
            return "test.Event/1";
        }

        @Override
        public Class<Event> type() {
            return Event.class;
        }

        @Override
        public byte[] encode(Event value) {
            return ((Started) value).stage().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Event decode(byte[] bytes) {
            return new Started(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    static PayloadCodecs codecs() {
        return PayloadCodecs.empty()
                .register(new FeatureWindowCodec())
                .register(new ImageFrameCodec())
                .register(new NoteCodec());
    }

    /** A feature window whose values are derived from the frame index, so readers can check every element. */
    static FeatureWindow featureWindow(long frameIndex, int rows, int columns) {
        float[] data = new float[rows * columns];
        for (int i = 0; i < data.length; i++) {
            data[i] = frameIndex * 1000f + i * 0.5f;
        }
        return new FeatureWindow(new TensorWire.Tensor(new int[] {rows, columns}, data));
    }

    static ImageFrame image(long seed, int height, int width) {
        byte[] pixels = new byte[height * width * 3];
        new Random(seed).nextBytes(pixels);
        return new ImageFrame(new TensorWire.ByteTensor(new int[] {height, width, 3}, pixels));
    }

    static ByteBuffer littleEndian(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
