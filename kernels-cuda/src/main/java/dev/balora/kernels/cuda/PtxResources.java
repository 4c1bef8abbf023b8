package dev.balora.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The committed PTX, generated from {@code src/main/cuda/*.cu} by {@code build-ptx.sh}, as class-path resources
 * {@code dev/balora/kernels/cuda/ptx/sm_XY/FILE.ptx}. PTX (not SASS) so one jar runs on every GPU from Ampere on:
 * the driver JIT-compiles it once per process for the actual chip.
 */
final class PtxResources {
    /** Architectures the PTX is generated for, oldest first. */
    static final List<Integer> ARCHS = List.of(80, 90);

    private PtxResources() {}

    /** @return the newest generated architecture not above the device's compute capability (e.g. 90 for 9.0, 80 for 8.9). */
    static int archFor(int major, int minor) {
        int cc = major * 10 + minor;
        int best = -1;
        for (int a : ARCHS) {
            if (a <= cc) {
                best = a;
            }
        }
        if (best < 0) {
            throw new CudaException("PtxResources.archFor(sm_" + cc + ")", -1,
                    "the PTX is built for " + ARCHS + "; compute capability " + major + "." + minor + " is too old");
        }
        return best;
    }

    /** @return the resource path of one PTX file. */
    static String path(int arch, String file) {
        return "/dev/balora/kernels/cuda/ptx/sm_" + arch + "/" + file + ".ptx";
    }

    /** @return the PTX text, or throws naming the missing resource. */
    static String read(int arch, String file) {
        String path = path(arch, file);
        try (InputStream in = PtxResources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new CudaException("PtxResources.read", -1, "missing class-path resource " + path
                        + " (run kernels-cuda/src/main/cuda/build-ptx.sh)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }
}
