package dev.synctalk.natives;

import dev.synctalk.video.MediaLogging;
import java.util.List;

/**
 * Loads the native libraries the stages use (JavaCPP, FFmpeg, OpenCV) and runs their class initialisers, once,
 * on the calling thread. JavaCPP initialises its classes under a global loader lock, and {@code Pointer}'s own
 * initialiser takes that lock too: two actor threads initialising FFmpeg and OpenCV classes at the same moment
 * (a resumed run feeds the frame writer from its journal while the decoders open) can deadlock for good.
 * Initialised here first, no class initialiser is left to race.
 */
public final class NativeLibraries {
    /**
     * Initialised in this order: JavaCPP's own classes, then FFmpeg's, then OpenCV's modules the stages use.
     * avdevice is left to the JavaCV grabber's and recorder's initialisers, which tolerate its absence (it needs
     * libpulse, which headless machines lack).
     */
    private static final List<String> CLASSES = List.of(
            "org.bytedeco.javacpp.Loader",
            "org.bytedeco.javacpp.Pointer",
            "org.bytedeco.javacpp.BytePointer",
            "org.bytedeco.javacpp.IntPointer",
            "org.bytedeco.javacpp.FloatPointer",
            "org.bytedeco.javacpp.DoublePointer",
            "org.bytedeco.ffmpeg.global.avutil",
            "org.bytedeco.ffmpeg.global.swresample",
            "org.bytedeco.ffmpeg.global.avcodec",
            "org.bytedeco.ffmpeg.global.avformat",
            "org.bytedeco.ffmpeg.global.swscale",
            "org.bytedeco.javacv.FFmpegFrameGrabber",
            "org.bytedeco.javacv.FFmpegFrameRecorder",
            "org.bytedeco.opencv.global.opencv_core",
            "org.bytedeco.opencv.global.opencv_imgproc",
            "org.bytedeco.opencv.global.opencv_imgcodecs",
            "org.bytedeco.opencv.global.opencv_video",
            "org.bytedeco.opencv.global.opencv_dnn",
            "org.bytedeco.opencv.opencv_core.Mat");

    private static boolean loaded;

    private NativeLibraries() {
    }

    /**
     * Loads everything once per JVM; later calls return at once.
     *
     * @throws IllegalStateException naming the library that could not be loaded (missing for this platform)
     */
    public static synchronized void load() {
        if (loaded) {
            return;
        }
        for (String name : CLASSES) {
            try {
                Class.forName(name, true, NativeLibraries.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load the native library behind " + name + " for "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + e, e);
            }
        }
        MediaLogging.quietFfmpeg();
        loaded = true;
    }

    public static synchronized boolean loaded() {
        return loaded;
    }
}
