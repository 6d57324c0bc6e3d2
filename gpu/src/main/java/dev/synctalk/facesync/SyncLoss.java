package dev.synctalk.facesync;

/**
 * The lip-sync expert's loss, paper Eq. 1-2: the sync probability of a face embedding F and an audio
 * embedding A is their cosine similarity
 * <pre>  P_sync = F . A / max(|F|_2 |A|_2, eps)                                   (Eq. 1)</pre>
 * (in [0, 1], both embeddings being non-negative after their last ReLU), and the loss is the binary
 * cross-entropy against the label y (1 in sync, 0 off sync), averaged over the batch:
 * <pre>  L_sync = -mean( y log P + (1 - y) log(1 - P) )                          (Eq. 2)</pre>
 * Under the frozen expert (training the AVE) every generated window has y = 1, so L_sync = -log P_sync.
 * P is clamped to [{@value #CLAMP}, 1 - {@value #CLAMP}] before the logarithm (a window whose embeddings
 * share no active feature has P = 0); where the clamp bites the gradient is zero. Computed in double on
 * the host (the embeddings are [batch, 16c], a few kilobytes).
 */
public final class SyncLoss {
    /** Eq. 1's epsilon. */
    public static final double EPS = 1e-8;
    /** P is kept this far from 0 and 1 inside the logarithms. */
    public static final double CLAMP = 1e-7;

    private SyncLoss() {
    }

    /**
     * @param loss        mean BCE over the batch
     * @param probability P_sync per pair
     * @param gradFace    dL/dF [batch, dim] (of the mean loss), or null when not asked for
     * @param gradAudio   dL/dA [batch, dim], or null when not asked for
     */
    public record Result(double loss, double[] probability, float[] gradFace, float[] gradAudio) {
        /** Fraction of pairs classified right by P &gt; 0.5. */
        public double accuracy(float[] labels) {
            int right = 0;
            for (int i = 0; i < probability.length; i++) {
                right += (probability[i] > 0.5) == (labels[i] > 0.5f) ? 1 : 0;
            }
            return (double) right / probability.length;
        }
    }

    /** F . A, |F|^2 and |A|^2 of one pair: face[fo .. fo+dim), audio[ao .. ao+dim), in double. */
    private static double[] products(float[] face, int fo, float[] audio, int ao, int dim) {
        double dot = 0;
        double ff = 0;
        double aa = 0;
        for (int k = 0; k < dim; k++) {
            double f = face[fo + k];
            double a = audio[ao + k];
            dot += f * a;
            ff += f * f;
            aa += a * a;
        }
        return new double[] {dot, ff, aa};
    }

    /** Eq. 1 for one pair: face[fo .. fo+dim), audio[ao .. ao+dim). */
    public static double probability(float[] face, int fo, float[] audio, int ao, int dim) {
        double[] p = products(face, fo, audio, ao, dim);
        return p[0] / Math.max(Math.sqrt(p[1]) * Math.sqrt(p[2]), EPS);
    }

    /** Eq. 1-2 over a batch of pairs (face row i with audio row i and labels[i]). */
    public static Result evaluate(float[] face, float[] audio, float[] labels, int batch, int dim,
                                  boolean gradients) {
        double[] p = new double[batch];
        float[] gradFace = gradients ? new float[batch * dim] : null;
        float[] gradAudio = gradients ? new float[batch * dim] : null;
        double loss = 0;
        for (int i = 0; i < batch; i++) {
            int o = i * dim;
            double[] products = products(face, o, audio, o, dim);
            double dot = products[0];
            double ff = products[1];
            double aa = products[2];
            double nf = Math.sqrt(ff);
            double na = Math.sqrt(aa);
            double denom = Math.max(nf * na, EPS);
            double prob = dot / denom;
            p[i] = prob;
            double y = labels[i];
            double pc = Math.min(1 - CLAMP, Math.max(CLAMP, prob));
            loss -= y * Math.log(pc) + (1 - y) * Math.log(1 - pc);
            if (!gradients || prob != pc) {
                continue;
            }
            double dLdP = (-y / pc + (1 - y) / (1 - pc)) / batch;
            for (int k = 0; k < dim; k++) {
                double f = face[o + k];
                double a = audio[o + k];
                double dPdf;
                double dPda;
                if (nf * na > EPS) {
                    dPdf = a / denom - prob * f / ff;
                    dPda = f / denom - prob * a / aa;
                } else {
                    dPdf = a / EPS;
                    dPda = f / EPS;
                }
                gradFace[o + k] = (float) (dLdP * dPdf);
                gradAudio[o + k] = (float) (dLdP * dPda);
            }
        }
        return new Result(loss / batch, p, gradFace, gradAudio);
    }
}
