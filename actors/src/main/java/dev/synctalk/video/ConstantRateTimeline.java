package dev.synctalk.video;

import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The constant-rate output timeline that video-decode puts any source (variable frame rate included)
 * on: output frame k is shown at {@code round(k * 1e6 / fps)} microseconds and shows the source frame
 * nearest that time; the source ends one frame interval (its last) after its last frame starts. Source
 * timestamps are relative to the video stream's start time.
 */
public final class ConstantRateTimeline {
    private ConstantRateTimeline() {
    }

    public static long tickMicros(long frameIndex, double fps) {
        return Math.round(frameIndex * 1e6 / fps);
    }

    /**
     * End of the source: the last frame lasts as long as the interval before it (or one output period
     * for a single-frame source).
     */
    public static long endMicros(long lastTimestampMicros, long previousTimestampMicros, boolean hasPrevious, double fps) {
        long duration = hasPrevious ? lastTimestampMicros - previousTimestampMicros : Math.round(1e6 / fps);
        return lastTimestampMicros + Math.max(duration, 1);
    }

    /** Output frames a source with these frame timestamps gives at {@code fps}: ticks before the end. */
    public static long frameCount(long[] timestampsMicros, double fps) {
        if (timestampsMicros.length == 0) {
            return 0;
        }
        long[] sorted = timestampsMicros.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        long end = endMicros(sorted[n - 1], n > 1 ? sorted[n - 2] : 0, n > 1, fps);
        long count = (long) Math.ceil(end * fps / 1e6) + 1;
        while (count > 0 && tickMicros(count - 1, fps) >= end) {
            count--;
        }
        return count;
    }

    /**
     * Microseconds from the video stream's start to {@code pts}, with the integer arithmetic JavaCV uses
     * for {@code Frame.timestamp}, so packet and decoded-frame times agree exactly.
     */
    static long streamMicros(long pts, AVStream stream) {
        return absoluteMicros(pts, stream) - streamStartMicros(stream);
    }

    static long streamStartMicros(AVStream stream) {
        return stream.start_time() == avutil.AV_NOPTS_VALUE ? 0 : absoluteMicros(stream.start_time(), stream);
    }

    private static long absoluteMicros(long pts, AVStream stream) {
        AVRational timeBase = stream.time_base();
        return 1000000L * pts * timeBase.num() / timeBase.den();
    }

    /**
     * The number of frames video-decode emits for {@code video} at {@code fps}, read from the packet
     * timestamps without decoding any picture.
     */
    public static long frameCount(Path video, double fps) throws FrameGrabber.Exception {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
            grabber.start();
            if (!grabber.hasVideo()) {
                throw new IllegalArgumentException(video + " has no video stream");
            }
            int streamIndex = grabber.getVideoStream();
            AVStream stream = grabber.getFormatContext().streams(streamIndex);
            long[] timestamps = new long[1024];
            int n = 0;
            AVPacket packet;
            while ((packet = grabber.grabPacket()) != null) {
                if (packet.stream_index() != streamIndex) {
                    continue;
                }
                long pts = packet.pts() != avutil.AV_NOPTS_VALUE ? packet.pts() : packet.dts();
                if (pts == avutil.AV_NOPTS_VALUE) {
                    continue;
                }
                if (n == timestamps.length) {
                    timestamps = Arrays.copyOf(timestamps, n * 2);
                }
                timestamps[n++] = streamMicros(pts, stream);
            }
            return frameCount(Arrays.copyOf(timestamps, n), fps);
        }
    }
}
