package dev.synctalk.dataset;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Journal layout: long frameIndex, byte split ordinal, int imageId, int audioId, 16 float64 pose values,
 * the expression as a float32 tensor, then the dataset root as int length + UTF-8 bytes.
 */
public final class DatasetFrameCodec implements PayloadCodec<DatasetFrame> {
    @Override
    public String typeName() {
        return "dataset-frame";
    }

    @Override
    public Class<DatasetFrame> type() {
        return DatasetFrame.class;
    }

    @Override
    public byte[] encode(DatasetFrame frame) {
        byte[] root = frame.datasetRoot().toString().getBytes(StandardCharsets.UTF_8);
        int[] shape = {frame.expression().length};
        ByteBuffer out = TensorPayload.allocate(8 + 1 + 4 + 4 + 16 * 8 + TensorPayload.floatTensorBytes(shape) + 4
                + root.length);
        out.putLong(frame.frameIndex());
        out.put((byte) frame.split().ordinal());
        out.putInt(frame.imageId());
        out.putInt(frame.audioId());
        for (double v : frame.transformMatrix()) {
            out.putDouble(v);
        }
        TensorPayload.putFloats(out, shape, frame.expression());
        out.putInt(root.length);
        out.put(root);
        return out.array();
    }

    @Override
    public DatasetFrame decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        int split = in.get();
        if (split < 0 || split >= Split.values().length) {
            throw new IllegalArgumentException("dataset-frame " + frameIndex + ": bad split " + split);
        }
        int imageId = in.getInt();
        int audioId = in.getInt();
        double[] pose = new double[16];
        for (int i = 0; i < 16; i++) {
            pose[i] = in.getDouble();
        }
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 1, "dataset-frame " + frameIndex);
        float[] expression = TensorPayload.getFloats(in, shape);
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("dataset-frame " + frameIndex + ": corrupt root path length " + length);
        }
        byte[] root = new byte[length];
        in.get(root);
        TensorPayload.requireFullyRead(in, "dataset-frame " + frameIndex);
        return new DatasetFrame(frameIndex, Split.values()[split], imageId, audioId, pose, expression,
                Path.of(new String(root, StandardCharsets.UTF_8)));
    }
}
