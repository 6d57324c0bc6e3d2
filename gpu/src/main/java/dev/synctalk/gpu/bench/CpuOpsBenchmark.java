package dev.synctalk.gpu.bench;

import dev.synctalk.gpu.encoding.TriPlaneEncoder;
import dev.synctalk.gpu.mlp.Mlp;
import dev.synctalk.gpu.mlp.MlpTrace;
import dev.synctalk.gpu.tensor.CpuBackend;
import dev.synctalk.gpu.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times forward + backward of SyncTalk's density path on the CPU backend: tri-plane encoding (36
 * features) into MLP 36 -> 64 -> 64 -> 65 and back, including the embedding and point gradients.
 * Prints the median samples per second over the timed runs, after warm-up runs.
 *
 * <p>Run after {@code mvn -pl gpu -am package}:
 * {@code java -cp gpu/target/classes dev.synctalk.gpu.bench.CpuOpsBenchmark [samples] [runs] [threads]}
 * (defaults 65536 samples, 5 runs, all processors).
 */
public final class CpuOpsBenchmark {
    private static final int WARMUP_RUNS = 2;

    private CpuOpsBenchmark() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();

        SplittableRandom rng = new SplittableRandom(7);
        TriPlaneEncoder encoder = TriPlaneEncoder.syncTalk(1f);
        List<Tensor> planes = encoder.newEmbeddings(rng);
        List<Tensor> planeGrads = List.of(Tensor.zeros(planes.get(0).shape()), Tensor.zeros(planes.get(1).shape()),
                Tensor.zeros(planes.get(2).shape()));
        Mlp mlp = Mlp.syncTalk(encoder.outputDim(), 65, 64, 3);
        List<Tensor> params = mlp.newParameters(rng);
        List<Tensor> grads = mlp.newGradients();
        Tensor points = Tensor.uniform(rng, -1f, 1f, samples, 3);
        Tensor features = Tensor.zeros(samples, encoder.outputDim());
        Tensor gradOut = Tensor.uniform(rng, -1f, 1f, samples, 65);
        Tensor gradFeatures = Tensor.zeros(samples, encoder.outputDim());
        Tensor gradPoints = Tensor.zeros(samples, 3);

        double[] samplesPerSecond = new double[runs];
        try (CpuBackend backend = new CpuBackend(threads)) {
            for (int run = 0; run < WARMUP_RUNS + runs; run++) {
                long start = System.nanoTime();
                backend.triPlaneForward(encoder, points, planes, features);
                MlpTrace trace = backend.mlpForward(mlp, params, features);
                backend.mlpBackward(mlp, params, trace, gradOut, grads, gradFeatures);
                backend.triPlaneBackward(encoder, points, planes, gradFeatures, planeGrads, gradPoints);
                long elapsedNanos = System.nanoTime() - start;
                if (run >= WARMUP_RUNS) {
                    samplesPerSecond[run - WARMUP_RUNS] = samples / (elapsedNanos / 1e9);
                }
            }
            double[] sorted = samplesPerSecond.clone();
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            System.out.printf("cpu backend, %d threads: triplane(36) -> MLP(36-64-64-65) forward+backward, %d samples%n",
                    threads, samples);
            System.out.printf("runs (samples/s): %s%n", Arrays.toString(Arrays.stream(samplesPerSecond)
                    .mapToLong(Math::round).toArray()));
            System.out.printf("median: %.0f samples/s%n", median);
        }
    }
}
