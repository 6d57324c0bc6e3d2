package dev.synctalk.gpu.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The PTX the build compiled from gpu/src/main/cuda/MODULE.cu, on the classpath at
 * /cuda/MODULE.compute_XY.ptx for each virtual architecture in {@link #ARCHITECTURES}.
 * The driver JIT-compiles PTX for the device it runs on; PTX of a newer architecture than the
 * device's cannot load, so the newest one not above the device's compute capability is chosen.
 */
public final class PtxResources {

    /** Compute capabilities (major * 10 + minor) the build emits PTX for, newest first (see gpu/pom.xml). */
    public static final List<Integer> ARCHITECTURES = List.of(90, 75);

    private PtxResources() {
    }

    public static String resourcePath(String module, int architecture) {
        return "/cuda/" + module + ".compute_" + architecture + ".ptx";
    }

    public static boolean present(String module, int architecture) {
        return PtxResources.class.getResource(resourcePath(module, architecture)) != null;
    }

    /** The newest architecture with PTX for {@code module} that a device of {@code computeCapability} runs. */
    public static Optional<Integer> bestArchitecture(String module, int computeCapability) {
        return ARCHITECTURES.stream()
                .filter(arch -> arch <= computeCapability && present(module, arch))
                .findFirst();
    }

    /** The PTX text with the terminating NUL cuModuleLoadData expects. */
    public static byte[] load(String module, int architecture) {
        String path = resourcePath(module, architecture);
        try (InputStream in = PtxResources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + path + " is missing: the gpu module was built "
                        + "without nvcc (see gpu/pom.xml, execution cuda-ptx)");
            }
            byte[] text = in.readAllBytes();
            byte[] terminated = new byte[text.length + 1];
            System.arraycopy(text, 0, terminated, 0, text.length);
            return terminated;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PTX resource " + path, e);
        }
    }
}
