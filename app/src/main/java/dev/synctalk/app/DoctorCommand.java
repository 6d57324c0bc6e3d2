package dev.synctalk.app;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudaRuntime;
import dev.synctalk.gpu.cuda.CudnnLoader;
import dev.synctalk.samples.SampleData;
import dev.synctalk.video.MediaLogging;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_video;
import picocli.CommandLine.Command;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what the engine needs on this machine, one line each: Java, CPU and memory, "
                + "CUDA driver and GPUs, cuDNN, the FFmpeg and OpenCV natives (loaded, not just found), "
                + "the sample data and models.",
                "Exit code 1 only when something every graph needs is broken (Java, FFmpeg, OpenCV); "
                        + "no GPU or no sample data is reported with what to do, exit code 0."})
final class DoctorCommand implements Callable<Integer> {

    /** OK: works. NOTE: absent and optional, or not checked. WARN: absent, some commands need it. FAIL: broken. */
    enum Status { OK, NOTE, WARN, FAIL }

    record Check(Status status, String topic, String detail) {
    }

    @Override
    public Integer call() {
        List<Check> checks = run();
        print(checks, System.out);
        return checks.stream().anyMatch(c -> c.status() == Status.FAIL) ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    }

    static List<Check> run() {
        List<Check> checks = new ArrayList<>();
        checks.add(java());
        checks.add(machine());
        checks.addAll(gpu());
        checks.add(guarded("ffmpeg", DoctorCommand::ffmpeg));
        checks.add(guarded("opencv", DoctorCommand::opencv));
        checks.addAll(samples());
        return checks;
    }

    static void print(List<Check> checks, PrintStream out) {
        for (Check c : checks) {
            out.printf(Locale.ROOT, "%-4s  %-8s  %s%n", c.status(), c.topic(), c.detail());
        }
        long failed = checks.stream().filter(c -> c.status() == Status.FAIL).count();
        long warned = checks.stream().filter(c -> c.status() == Status.WARN).count();
        out.println(failed > 0 ? failed + " problem(s) stop the engine here; see FAIL above"
                : warned > 0 ? "the engine runs here; " + warned + " warning(s) above say what some commands need"
                : "everything the engine uses is here");
    }

    private static Check java() {
        Runtime.Version v = Runtime.version();
        String where = System.getProperty("java.vendor") + ", " + System.getProperty("java.home");
        return v.feature() >= 17 ? new Check(Status.OK, "java", v + " (" + where + ")")
                : new Check(Status.FAIL, "java", v + " is older than 17: use Java 17 or newer");
    }

    private static Check machine() {
        int cores = Runtime.getRuntime().availableProcessors();
        long heap = Runtime.getRuntime().maxMemory();
        String physical = "";
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            physical = String.format(Locale.ROOT, ", %.1f GiB memory", os.getTotalMemorySize() / GIB);
        }
        return new Check(Status.OK, "machine", String.format(Locale.ROOT, "%d CPU cores%s, Java heap up to %.1f GiB%s",
                cores, physical, heap / GIB, cores < 4 ? " (training on the CPU is slow: the demo picks a small preset)" : ""));
    }

    private static List<Check> gpu() {
        List<Check> checks = new ArrayList<>();
        if (!CudaRuntime.available()) {
            checks.add(new Check(Status.NOTE, "gpu", "none usable (" + CudaRuntime.unavailableReason()
                    + "); everything runs on the CPU. For GPU training: an NVIDIA GPU with its driver (libcuda.so.1)"));
            checks.add(new Check(Status.NOTE, "cudnn", "not checked (no GPU)"));
            return checks;
        }
        int driver = CudaRuntime.driverVersion();
        checks.add(new Check(Status.OK, "cuda", String.format(Locale.ROOT, "driver for CUDA %d.%d, %d device(s)",
                driver / 1000, driver % 1000 / 10, CudaRuntime.deviceCount())));
        for (int i = 0; i < CudaRuntime.deviceCount(); i++) {
            int ordinal = i;
            checks.add(guarded("gpu:" + i, () -> {
                try (CudaDevice device = CudaRuntime.open(ordinal)) {
                    return new Check(Status.OK, "gpu:" + ordinal, String.format(Locale.ROOT,
                            "%s, %.1f GiB, compute capability %d.%d", device.name(), device.totalMemoryBytes() / GIB,
                            device.computeCapability() / 10, device.computeCapability() % 10));
                }
            }));
        }
        checks.add(guarded("cudnn", () -> {
            CudnnLoader.CudnnInfo cudnn = CudnnLoader.load();
            return new Check(Status.OK, "cudnn", "cuDNN " + cudnn.version() + " at " + cudnn.library()
                    + (cudnn.throughShim() ? " (through the libcudnn.so.8 shim)" : ""));
        }, Status.WARN, "the audio (AVE) and LPIPS networks need cuDNN 8 or 9 on a GPU: install it or add its lib folder to LD_LIBRARY_PATH"));
        return checks;
    }

    private static Check ffmpeg() {
        MediaLogging.quietFfmpeg();
        for (Class<?> c : List.of(avutil.class, avcodec.class, avformat.class, swscale.class, swresample.class)) {
            Loader.load(c);
        }
        String version = avutil.av_version_info().getString();
        if (avcodec.avcodec_find_encoder_by_name("libx264") == null) {
            return new Check(Status.FAIL, "ffmpeg", "FFmpeg " + version + " loaded but has no libx264 encoder: "
                    + "mp4-encode needs the GPL build (org.bytedeco:ffmpeg, classifier linux-x86_64-gpl)");
        }
        return new Check(Status.OK, "ffmpeg", "FFmpeg " + version + " (decode, resample, scale; H.264 encoder libx264)");
    }

    private static Check opencv() {
        for (Class<?> c : List.of(opencv_core.class, opencv_imgproc.class, opencv_imgcodecs.class, opencv_dnn.class,
                opencv_video.class)) {
            Loader.load(c);
        }
        return new Check(Status.OK, "opencv", "OpenCV " + opencv_core.CV_VERSION + " (core, imgproc, imgcodecs, dnn, video)");
    }

    private static List<Check> samples() {
        SampleData samples = SampleData.locate();
        List<Check> checks = new ArrayList<>();
        Optional<Path> dir = samples.directory();
        if (dir.isEmpty()) {
            checks.add(new Check(Status.WARN, "samples", "no sample folder in " + samples.searched() + ": `synctalk demo` "
                    + "and the default graph inputs need it; set " + SampleData.ENVIRONMENT_VARIABLE
                    + " to the folder that holds " + SampleData.VIDEO + ", " + SampleData.SPEECH + " and models/"));
            return checks;
        }
        checks.add(new Check(Status.OK, "samples", dir.get().toString()));
        for (String file : List.of(SampleData.VIDEO, SampleData.SPEECH, SampleData.FACE_LANDMARKER)) {
            checks.add(samples.find(file).map(p -> new Check(Status.OK, "samples", file + " (" + p + ")"))
                    .orElseGet(() -> new Check(Status.WARN, "samples", samples.missing(file))));
        }
        checks.add(samples.find(SampleData.LPIPS_WEIGHTS).map(p -> new Check(Status.OK, "samples", SampleData.LPIPS_WEIGHTS))
                .orElseGet(() -> new Check(Status.NOTE, "samples", SampleData.LPIPS_WEIGHTS
                        + " absent (optional: training uses MSE without LPIPS; see dev.synctalk.gpu.lpips.LpipsAlex)")));
        return checks;
    }

    private static Check guarded(String topic, Supplier<Check> check) {
        return guarded(topic, check, Status.FAIL, null);
    }

    /** Runs a check that loads natives: any failure, linkage errors included, becomes one line naming the cause. */
    private static Check guarded(String topic, Supplier<Check> check, Status onFailure, String whatToDo) {
        try {
            return check.get();
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String cause = root.getMessage() != null ? root.getMessage().lines().findFirst().orElse("") : root.toString();
            return new Check(onFailure, topic, "cannot load: " + cause + (whatToDo != null ? "; " + whatToDo : ""));
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
