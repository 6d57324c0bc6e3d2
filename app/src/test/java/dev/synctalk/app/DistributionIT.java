package dev.synctalk.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU-server distribution (app/src/dist/assemble.sh, built before this test by `mvn verify` or by
 * `mvn -Pdist package`): its contents, its launcher started from the unpacked tree on the bundled
 * runtime, and, with the sample data, the preprocess -> train -> infer graphs run from it.
 */
class DistributionIT {
    private static final long GPU_CALL_LIMIT_BYTES = 64L * 1024 * 1024;

    @TempDir
    static Path unpackedParent;
    static Path tarball;
    static Path root;

    private record Outcome(int code, String output) {
    }

    @BeforeAll
    static void unpack() throws Exception {
        tarball = Path.of(System.getProperty("synctalk.dist.tarball", "target/none.tar.xz"));
        assertTrue(Files.isRegularFile(tarball), "the distribution was not built: " + tarball);
        Outcome untar = run(unpackedParent, Map.of(), 120, "tar", "-xJf", tarball.toString());
        assertEquals(0, untar.code(), untar.output());
        String name = tarball.getFileName().toString().replace(".tar.xz", "");
        root = unpackedParent.resolve(name);
        long unpacked;
        try (Stream<Path> files = Files.walk(root)) {
            unpacked = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long packed = Files.size(tarball);
        System.out.printf("distribution %s: %d bytes = %.1f MiB packed, %.1f MiB unpacked (GPU machine: 64 MiB per call)%s%n",
                tarball.getFileName(), packed, packed / 1048576.0, unpacked / 1048576.0,
                packed > GPU_CALL_LIMIT_BYTES ? " - LARGER than one call: send it in parts" : "");
    }

    @Test
    void treeHoldsRuntimeJarsLauncherGraphsAndReadme() throws IOException {
        assertTrue(Files.isExecutable(root.resolve("bin/synctalk")), "bin/synctalk");
        assertTrue(Files.isExecutable(root.resolve("runtime/bin/java")), "runtime/bin/java");
        assertTrue(Files.isRegularFile(root.resolve("lib/synctalk-app.jar")), "lib/synctalk-app.jar");
        assertTrue(Files.isRegularFile(root.resolve("README.md")), "README.md");
        String options = Files.readString(root.resolve("conf/jvm.options"));
        assertTrue(options.contains("-Dchronicle.analytics.disable=true") && options.contains("--add-opens java.base/java.lang=ALL-UNNAMED"),
                "conf/jvm.options carries synctalk.jvm.flags: " + options);
        try (Stream<Path> shipped = Files.list(root.resolve("graph-definitions"));
             Stream<Path> repo = Files.list(SampleMedia.graph("."))) {
            assertEquals(names(repo), names(shipped), "graph-definitions/");
        }
        Path shim = SampleMedia.repo().resolve("gpu/target/classes/native/linux-x86_64/libcudnn.so.8");
        if (Files.isRegularFile(shim)) {
            assertEquals(Files.size(shim), Files.size(root.resolve("native/libcudnn.so.8")), "native/libcudnn.so.8");
        }
    }

    @Test
    void runtimeIsMinimal() throws IOException {
        String release = Files.readString(root.resolve("runtime/release"));
        String modules = release.lines().filter(l -> l.startsWith("MODULES=")).findFirst().orElseThrow();
        for (String needed : List.of("java.base", "java.desktop", "java.management", "jdk.httpserver", "jdk.unsupported")) {
            assertTrue(modules.contains(needed), needed + " in " + modules);
        }
        for (String unneeded : List.of("jdk.compiler", "jdk.jshell", "java.scripting", "jdk.jlink")) {
            assertFalse(modules.contains(unneeded), unneeded + " in " + modules);
        }
    }

    @Test
    void jarsAreStoredAndCarryOnlyTheLinuxX8664NativesTheStagesLoad() throws IOException {
        List<String> natives = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> s = Files.list(root.resolve("lib"))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            assertFalse(name.startsWith("javafx") || name.startsWith("tesseract") || name.startsWith("librealsense")
                    || name.startsWith("jcublas"), "unused library shipped: " + name);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    ZipEntry entry = e.nextElement();
                    if (!name.equals("synctalk-app.jar")) {
                        assertEquals(ZipEntry.STORED, entry.getMethod(), name + "!" + entry.getName() + " is compressed");
                    }
                    String entryName = entry.getName();
                    if (entryName.matches(".*\\.(so(\\.[0-9]+)*|dll|dylib|jnilib|a)$")) {
                        natives.add(name + "!" + entryName);
                    }
                }
            }
        }
        assertFalse(natives.isEmpty());
        for (String lib : natives) {
            assertTrue(lib.contains("linux-x86_64") || lib.contains("linux-x86-64") || lib.contains("x86_64-Linux")
                            || lib.startsWith("synctalk-gpu"),
                    "a native library for another platform: " + lib);
            assertFalse(lib.matches(".*(avdevice|avfilter|postproc|opencv_java|python|opencv_objdetect|JNvPTXCompiler|openblas_full).*"),
                    "a native library no stage loads: " + lib);
        }
        for (String needed : List.of("libavcodec.so", "libopencv_dnn.so", "libopencv_video.so", "libopenblas.so.0",
                "libJCudaDriver", "libJCudnn")) {
            assertTrue(natives.stream().anyMatch(n -> n.contains(needed)), needed + " missing: " + natives);
        }
    }

    @Test
    void launcherStartsFromTheUnpackedTreeOnTheBundledRuntime() throws Exception {
        // No JAVA_HOME and a PATH without a JDK's bin: the launcher must use runtime/bin/java.
        Map<String, String> bare = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "/nonexistent");
        Outcome help = run(unpackedParent, bare, 120, root.resolve("bin/synctalk").toString(), "--help");
        assertEquals(0, help.code(), help.output());
        assertTrue(help.output().contains("Usage: synctalk"), help.output());
        Outcome stages = run(unpackedParent, bare, 120, root.resolve("bin/synctalk").toString(), "graphs", "stages");
        assertEquals(0, stages.code(), stages.output());
        for (String type : List.of("video-decode", "face-landmarks", "head-train", "head-render", "mp4-encode")) {
            assertTrue(stages.output().contains(type), type + " in\n" + stages.output());
        }
    }

    @Test
    void preprocessTrainAndInferRunFromTheUnpackedTree() throws Exception {
        Path video = SampleMedia.data("hdtf_aoc.mp4");
        Path model = SampleMedia.data("models/face_landmarker.task");
        Path work = Files.createDirectories(unpackedParent.resolve("work"));
        // A fresh JavaCPP cache: every native must come from the distribution's jars.
        Map<String, String> env = Map.of("SYNCTALK_JAVA_OPTS", "-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("javacpp-cache"));
        String launcher = root.resolve("bin/synctalk").toString();
        String graphs = root.resolve("graph-definitions").toString();
        List<String> common = List.of("--no-progress", "--metrics-port", "-1", "--runs-dir", work.resolve("runs").toString());

        Outcome pre = run(work, env, 300, concat(List.of(launcher, "run", graphs + "/preprocess.conf", "--run-id", "pre",
                "-Pvideo=" + video, "-Pmodel=" + model, "-Pwidth=96", "-Pheight=96", "-Pdecode.max-frames=16"), common));
        assertEquals(0, pre.code(), pre.output());
        Path dataset = work.resolve("runs/pre/outputs");
        assertTrue(Files.isRegularFile(dataset.resolve("dataset.complete")), pre.output());

        Outcome train = run(work, env, 300, concat(List.of(launcher, "run", graphs + "/train.conf", "--run-id", "train",
                "-Pdataset=" + dataset, "-Ppreset=tiny", "-Piters=12", "-Pcoarse-iters=8", "-Prays-per-step=512"), common));
        assertEquals(0, train.code(), train.output());

        Outcome infer = run(work, env, 300, concat(List.of(launcher, "run", graphs + "/infer.conf", "--run-id", "infer",
                "-Pdataset=" + dataset, "-Pmodel=" + work.resolve("runs/train/outputs/head.ckpt"),
                "-Paudio=" + dataset.resolve("aud.wav")), common));
        assertEquals(0, infer.code(), infer.output());
        assertTrue(Files.size(work.resolve("runs/infer/outputs/video.mp4")) > 0, infer.output());
    }

    private static List<String> names(Stream<Path> files) {
        return files.map(p -> p.getFileName().toString()).sorted().toList();
    }

    private static String[] concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }

    private static Outcome run(Path dir, Map<String, String> env, int timeoutSeconds, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile(unpackedParent, "process", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Outcome(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                    + "\n" + Files.readString(log));
        }
        return new Outcome(p.exitValue(), Files.readString(log));
    }
}
