package dev.synctalk.nerf;

/**
 * Outcome of one torso training step (step is 1-based: steps done including this one).
 *
 * @param loss         total loss optimised
 * @param mse          mean colour MSE of torso-over-background against the target
 * @param anchorLoss   weighted mean (1 - anchor_w)^2
 * @param alphaEntropy weighted mean entropy of the torso alpha
 * @param psnr         -10 log10(mse), dB for colours in [0, 1]
 */
public record TorsoStepResult(long step, double loss, double mse, double anchorLoss, double alphaEntropy, double psnr) {
}
