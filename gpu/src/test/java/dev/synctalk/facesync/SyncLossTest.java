package dev.synctalk.facesync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Eq. 1-2 (sync) and Eq. 3 (reconstruction) against values worked out by hand, and their gradients. */
class SyncLossTest {

    @Test
    void syncProbabilityIsTheCosineSimilarityAndTheLossItsBinaryCrossEntropy() {
        // F = (3, 4), A = (4, 3): F.A = 24, |F||A| = 25, P = 0.96
        float[] face = {3, 4, 3, 4};
        float[] audio = {4, 3, 4, 3};
        SyncLoss.Result r = SyncLoss.evaluate(face, audio, new float[] {1, 0}, 2, 2, false);
        assertEquals(0.96, r.probability()[0], 1e-12);
        assertEquals(0.96, r.probability()[1], 1e-12);
        // in sync: -ln 0.96 = 0.0408220; off sync: -ln 0.04 = 3.2188758; mean of the two
        assertEquals((0.040821994520255 + 3.218875824868201) / 2, r.loss(), 1e-9);
        assertEquals(0.5, r.accuracy(new float[] {1, 0}), 0.0);
    }

    @Test
    void orthogonalEmbeddingsAreOffSyncWithTheClampedLogarithm() {
        SyncLoss.Result r = SyncLoss.evaluate(new float[] {1, 0}, new float[] {0, 2}, new float[] {1}, 1, 2, true);
        assertEquals(0.0, r.probability()[0], 0.0);
        assertEquals(-Math.log(SyncLoss.CLAMP), r.loss(), 1e-9);
        assertArrayEquals(new float[] {0, 0}, r.gradFace(), "no gradient where the clamp holds");
        SyncLoss.Result off = SyncLoss.evaluate(new float[] {1, 0}, new float[] {0, 2}, new float[] {0}, 1, 2, false);
        assertEquals(-Math.log(1 - SyncLoss.CLAMP), off.loss(), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        int batch = 3;
        int dim = 5;
        float[] face = new float[batch * dim];
        float[] audio = new float[batch * dim];
        for (int i = 0; i < face.length; i++) {
            face[i] = (float) rng.nextDouble(0.1, 1);
            audio[i] = (float) rng.nextDouble(0.1, 1);
        }
        float[] labels = {1, 0, 1};
        SyncLoss.Result r = SyncLoss.evaluate(face, audio, labels, batch, dim, true);
        double h = 1e-3;
        for (int i = 0; i < face.length; i++) {
            float saved = face[i];
            face[i] = (float) (saved + h);
            double up = SyncLoss.evaluate(face, audio, labels, batch, dim, false).loss();
            face[i] = (float) (saved - h);
            double down = SyncLoss.evaluate(face, audio, labels, batch, dim, false).loss();
            face[i] = saved;
            assertEquals((up - down) / (2 * h), r.gradFace()[i], 2e-4, "dL/dF[" + i + "]");
            saved = audio[i];
            audio[i] = (float) (saved + h);
            up = SyncLoss.evaluate(face, audio, labels, batch, dim, false).loss();
            audio[i] = (float) (saved - h);
            down = SyncLoss.evaluate(face, audio, labels, batch, dim, false).loss();
            audio[i] = saved;
            assertEquals((up - down) / (2 * h), r.gradAudio()[i], 2e-4, "dL/dA[" + i + "]");
        }
    }

    @Test
    void reconstructionLossIsTheMeanAbsoluteDifferenceWithSignGradients() {
        float[] prediction = {0.5f, 0.2f, 0.9f};
        float[] target = {0.1f, 0.2f, 1.0f};
        float[] gradient = new float[3];
        // |0.4| + |0| + |-0.1| = 0.5 over 3 values
        assertEquals(0.5 / 3, ReconstructionLoss.l1(prediction, target, 3, gradient, 1.0), 1e-7);
        assertArrayEquals(new float[] {1f / 3, 0f, -1f / 3}, gradient, 1e-7f);
        ReconstructionLoss.l1(prediction, target, 3, gradient, 0.5);
        assertArrayEquals(new float[] {0.5f / 3, 0f, -0.5f / 3}, gradient, 1e-7f);
    }
}
