package dev.synctalk.gpu.optim;

/**
 * Hyper-parameters of one AdamW parameter group, torch.optim.AdamW's meaning.
 * SyncTalk: betas (0, 0.99), eps 1e-8, lr 1e-2 for grids and 1e-3 for networks.
 */
public record AdamWConfig(double learningRate, double beta1, double beta2, double eps, double weightDecay) {

    public AdamWConfig {
        if (!(learningRate >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid AdamW settings: lr=" + learningRate + " betas=(" + beta1
                    + ", " + beta2 + ") eps=" + eps + " weightDecay=" + weightDecay);
        }
    }

    /** SyncTalk's settings at the given learning rate (weight decay 0, torch's AdamW default is 1e-2). */
    public static AdamWConfig syncTalk(double learningRate) {
        return new AdamWConfig(learningRate, 0.0, 0.99, 1e-8, 0.0);
    }

    public AdamWConfig withLearningRate(double lr) {
        return new AdamWConfig(lr, beta1, beta2, eps, weightDecay);
    }
}
