package dev.synctalk.gpu.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

import jcuda.jcudnn.JCudnn;

/**
 * Makes JCudnn 11.7.0 usable. JCudnn's native links against libcudnn.so.8; where the machine has only
 * cuDNN 9 (the GPU machine: research/gpu-feasibility.md), the libcudnn.so.8 shim built from
 * gpu/src/main/c is loaded first (System.load), so the dynamic linker satisfies JCudnn's dependency by
 * SONAME and the shim forwards every call to libcudnn.so.9.
 *
 * <p>The shim comes from the system property {@value #SHIM_PROPERTY} (a file path; the GPU bundle sets
 * it) or else from the classpath resource {@value #SHIM_RESOURCE}, copied to a temporary file.
 */
public final class CudnnLoader {

    public static final String SHIM_PROPERTY = "synctalk.cudnn.shim";
    public static final String SHIM_RESOURCE = "/native/linux-x86_64/libcudnn.so.8";

    /** How cuDNN was reached: its version (e.g. 91400 for 9.14.0) and the library JCudnn runs on. */
    public record CudnnInfo(long version, Path library, boolean throughShim) {
        public int major() {
            return (int) (version >= 10000 ? version / 10000 : version / 1000);
        }
    }

    private static CudnnInfo loaded;

    private CudnnLoader() {
    }

    /** Loads cuDNN (once) and returns what was loaded; throws IllegalStateException naming the cause. */
    public static synchronized CudnnInfo load() {
        if (loaded != null) {
            return loaded;
        }
        NativeLibraryLocator locator = NativeLibraryLocator.system();
        Optional<Path> cudnn8 = locator.find("libcudnn.so.8");
        Optional<Path> cudnn9 = locator.find("libcudnn.so.9");
        if (cudnn8.isPresent()) {
            loaded = new CudnnInfo(initialiseJCudnn("libcudnn.so.8 at " + cudnn8.get()), cudnn8.get(), false);
        } else if (cudnn9.isPresent()) {
            Path library = cudnn9.get();
            Path shim = shimFile();
            try {
                // Loaded by path first so the shim's dlopen("libcudnn.so.9") finds it by SONAME even in a
                // directory the linker's cache does not list.
                System.load(library.toAbsolutePath().toString());
                System.load(shim.toAbsolutePath().toString());
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException("cannot load cuDNN 9 (" + library + ") through the libcudnn.so.8 shim ("
                        + shim + "): " + e.getMessage(), e);
            }
            long version = initialiseJCudnn("cuDNN 9 at " + library + " through the shim " + shim);
            if (version < 90000) {
                throw new IllegalStateException("the libcudnn.so.8 shim did not bind " + library
                        + " (cudnnGetVersion returned " + version + "); see the shim's message on stderr");
            }
            loaded = new CudnnInfo(version, library, true);
        } else {
            throw new IllegalStateException("cuDNN not found: neither libcudnn.so.8 nor libcudnn.so.9 in "
                    + locator.directories() + " (install cuDNN 8 or 9, or add its lib directory to LD_LIBRARY_PATH)");
        }
        return loaded;
    }

    /** cudnnGetVersion() of the loaded cuDNN, e.g. 91400. */
    public static long version() {
        return load().version();
    }

    private static long initialiseJCudnn(String what) {
        try {
            JCudnn.setExceptionsEnabled(true);
            JCudnn.initialize();
            return JCudnn.cudnnGetVersion();
        } catch (Throwable e) {
            throw new IllegalStateException("JCudnn could not start on " + what + ": " + e, e);
        }
    }

    private static Path shimFile() {
        String configured = System.getProperty(SHIM_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("-D" + SHIM_PROPERTY + "=" + configured + " is not a file");
            }
            return path;
        }
        try (InputStream in = CudnnLoader.class.getResourceAsStream(SHIM_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("this machine has cuDNN 9 only and the libcudnn.so.8 shim is missing: "
                        + "resource " + SHIM_RESOURCE + " was not built (needs gcc on Linux x86-64, gpu/pom.xml)");
            }
            Path dir = Files.createTempDirectory("synctalk-cudnn-shim");
            Path target = dir.resolve("libcudnn.so.8");
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            target.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the libcudnn.so.8 shim", e);
        }
    }
}
