package dev.synctalk.video;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, long ptsMicros, then the image as a uint8 tensor [height, width, 3]. */
public final class VideoFrameCodec implements PayloadCodec<VideoFrame> {
    @Override
    public String typeName() {
        return "video-frame";
    }

    @Override
    public Class<VideoFrame> type() {
        return VideoFrame.class;
    }

    @Override
    public byte[] encode(VideoFrame frame) {
        int[] shape = {frame.height(), frame.width(), 3};
        ByteBuffer out = TensorPayload.allocate(16 + TensorPayload.byteTensorBytes(shape));
        out.putLong(frame.frameIndex());
        out.putLong(frame.ptsMicros());
        TensorPayload.putBytes(out, shape, frame.rgb());
        return out.array();
    }

    @Override
    public VideoFrame decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frameIndex = in.getLong();
        long ptsMicros = in.getLong();
        int[] shape = TensorPayload.getShape(in);
        TensorPayload.requireRank(shape, 3, "video-frame " + frameIndex);
        byte[] rgb = TensorPayload.getBytes(in, shape);
        TensorPayload.requireFullyRead(in, "video-frame " + frameIndex);
        return new VideoFrame(frameIndex, ptsMicros, shape[1], shape[0], rgb);
    }
}
