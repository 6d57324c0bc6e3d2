package dev.synctalk.nerf;

/**
 * Outcome of one head training step (step is 1-based: the number of steps done including this one).
 *
 * @param loss        total loss optimised (mean over rays of all terms)
 * @param mse         mean colour MSE over the rays (unweighted)
 * @param uncertainty mean of the uncertainty-weighted colour loss term
 * @param ambient     mean ambient (attention-norm) loss
 * @param entropy     mean weights-sum entropy loss
 * @param imageLoss   the caller's image loss (e.g. lambda x LPIPS on patches); 0 without one
 * @param psnr        PSNR of the batch, -10 log10(mse), in dB for colours in [0, 1]
 * @param samples     samples marched for the batch
 */
public record TrainStepResult(long step, double loss, double mse, double uncertainty, double ambient, double entropy,
                              double imageLoss, double psnr, int samples) {
}
