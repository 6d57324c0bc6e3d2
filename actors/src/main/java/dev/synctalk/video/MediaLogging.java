package dev.synctalk.video;

import org.bytedeco.ffmpeg.global.avutil;

/** FFmpeg prints stream dumps and option notices to stderr at INFO; the stages report errors themselves. */
public final class MediaLogging {
    private static volatile boolean quiet;

    private MediaLogging() {
    }

    public static void quietFfmpeg() {
        if (!quiet) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            quiet = true;
        }
    }
}
