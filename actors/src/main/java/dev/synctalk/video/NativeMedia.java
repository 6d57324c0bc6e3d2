package dev.synctalk.video;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;

/**
 * Loads the native FFmpeg and OpenCV libraries (JavaCPP) once, on one thread. JavaCPP's first loads
 * deadlock when several threads start them at once (its class initialisers and its loader lock wait on
 * each other: bytedeco/javacpp issue 737), which parallel stage actors starting together did. The types
 * of the stages that use these libraries call this from their constructors, which the stage registry
 * runs on one thread before any run starts.
 */
public final class NativeMedia {
    private static boolean loaded;

    private NativeMedia() {
    }

    public static synchronized void load() {
        if (loaded) {
            return;
        }
        for (Class<?> library : new Class<?>[] {opencv_core.class, opencv_imgproc.class, opencv_imgcodecs.class,
            opencv_dnn.class, avutil.class, avcodec.class, avformat.class, swscale.class, swresample.class}) {
            Loader.load(library);
        }
        // Before any stage opens a file: FFmpeg's own notices would otherwise reach the console.
        MediaLogging.quietFfmpeg();
        loaded = true;
    }
}
