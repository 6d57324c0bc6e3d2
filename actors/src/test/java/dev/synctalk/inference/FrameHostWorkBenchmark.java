package dev.synctalk.inference;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.image.FloatImage;
import dev.synctalk.portrait.FaceMask;
import dev.synctalk.portrait.PortraitMerge;
import dev.synctalk.render.RenderedFrame;
import dev.synctalk.render.RenderedFrameCodec;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Host (CPU) work per 512x512 portrait frame around the GPU render, before and after frames became bytes composed on
 * the device, timed on the machine it runs on (the GPU's part is not in it: it needs the device). Per thread:
 * <ul>
 *   <li>before, head-render's thread: the download targets (3 + 1 M floats), clamping, the float portrait merge;
 *       the journal (stream thread): a float32 payload of 3 MB; mp4-encode's thread: floats to bytes;</li>
 *   <li>after, head-render's thread: the frame's bytes copied out of (direct, as pinned) memory into the message;
 *       the journal: a uint8 payload of 0.75 MB; mp4-encode: nothing to convert.</li>
 * </ul>
 * Usage: {@code java -cp <actors test classpath> dev.synctalk.inference.FrameHostWorkBenchmark [side] [frames]}
 */
public final class FrameHostWorkBenchmark {
    private FrameHostWorkBenchmark() {
    }

    public static void main(String[] args) {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int pixels = side * side;
        SplittableRandom rng = new SplittableRandom(1);
        float[] head = new float[3 * pixels];
        for (int i = 0; i < head.length; i++) {
            head[i] = (float) rng.nextDouble(-0.05, 1.05);
        }
        byte[] original = new byte[3 * pixels];
        byte[] maskRgb = new byte[3 * pixels];
        rng.nextBytes(original);
        rng.nextBytes(maskRgb);
        FloatImage originalImage = FloatImage.fromBytes(side, side, 3, original);
        FaceMask mask = FaceMask.fromMaskImage(FloatImage.fromBytes(side, side, 3, maskRgb));
        ByteBuffer pinned = ByteBuffer.allocateDirect(3 * pixels);
        pinned.put(FrameRgb8.quantize(head)).flip();
        RenderedFrameCodec codec = new RenderedFrameCodec();
        long[] sink = {0};

        LongSupplier beforeRender = () -> {
            float[] image = new float[3 * pixels];
            float[] opacity = new float[pixels];
            System.arraycopy(head, 0, image, 0, image.length);
            float[] rgb = image.clone();
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = Math.min(1f, Math.max(0f, rgb[i]));
            }
            FloatImage merged = PortraitMerge.merge(new FloatImage(side, side, 3, rgb), originalImage, mask);
            return merged.data().length + opacity.length;
        };
        LongSupplier beforeJournal = () -> {
            int[] shape = {side, side, 3};
            ByteBuffer out = TensorPayload.allocate(8 + TensorPayload.floatTensorBytes(shape));
            out.putLong(1);
            TensorPayload.putFloats(out, shape, head);
            return out.array().length;
        };
        LongSupplier beforeEncoder = () -> new FloatImage(side, side, 3, head).toBytes().length;
        LongSupplier afterRender = () -> {
            byte[] rgb = new byte[3 * pixels];
            pinned.duplicate().get(rgb);
            return new RenderedFrame(1, side, side, rgb).rgb8().length;
        };
        LongSupplier afterJournal = () -> codec.encode(new RenderedFrame(1, side, side, original)).length;

        System.out.printf(Locale.ROOT, "host work per %dx%d portrait frame, %d frames after %d warm-up, %d processors%n",
                side, side, frames, frames / 2, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "| %-72s | %10s |%n", "work (thread)", "ms/frame");
        report("before: download targets, clamp, float portrait merge (head-render)", beforeRender, frames, sink);
        report("before: float32 journal payload, 3 MB (stream)", beforeJournal, frames, sink);
        report("before: floats to bytes for libx264 (mp4-encode)", beforeEncoder, frames, sink);
        report("after: 8-bit frame out of pinned memory into the message (head-render)", afterRender, frames, sink);
        report("after: uint8 journal payload, 0.75 MB (stream)", afterJournal, frames, sink);
        System.out.println("(checksum " + sink[0] + ")");
    }

    private static void report(String what, LongSupplier work, int frames, long[] sink) {
        for (int i = 0; i < frames / 2; i++) {
            sink[0] += work.getAsLong();
        }
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            sink[0] += work.getAsLong();
        }
        double ms = (System.nanoTime() - start) / 1e6 / frames;
        System.out.printf(Locale.ROOT, "| %-72s | %10.3f |%n", what, ms);
    }
}
