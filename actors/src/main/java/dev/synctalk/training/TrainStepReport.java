package dev.synctalk.training;

import dev.synctalk.nerf.TrainingPhase;
import dev.synctalk.engine.stage.Indexed;

/**
 * What one training step reports downstream (frameIndex = step, 0-based).
 *
 * @param phase  the training phase the step belonged to
 * @param loss   total loss optimised
 * @param mse    mean colour MSE over the step's rays
 * @param psnr   PSNR of the step's rays in dB (colours in [0, 1])
 * @param samples samples marched for the batch
 * @param learningRateFactor the lr decay factor applied at this step
 * @param lpips  the weighted LPIPS term included in loss (weight x mean LPIPS of the patches); 0 when the
 *               step had none
 */
public record TrainStepReport(long frameIndex, TrainingPhase phase, double loss, double mse, double psnr, int samples,
                              double learningRateFactor, double lpips) implements Indexed {

    /** journal layout: long step, int phase ordinal, 3 doubles, int samples, double lr factor, double lpips (little-endian). */
    public static final class Codec implements dev.synctalk.journal.PayloadCodec<TrainStepReport> {
        private static final int SIZE = 8 + 4 + 24 + 4 + 8 + 8;

        @Override
        public String typeName() {
            return "train-step-report";
        }

        @Override
        public Class<TrainStepReport> type() {
            return TrainStepReport.class;
        }

        @Override
        public byte[] encode(TrainStepReport r) {
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(SIZE)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            out.putLong(r.frameIndex()).putInt(r.phase().ordinal()).putDouble(r.loss()).putDouble(r.mse())
                    .putDouble(r.psnr()).putInt(r.samples()).putDouble(r.learningRateFactor()).putDouble(r.lpips());
            return out.array();
        }

        @Override
        public TrainStepReport decode(byte[] bytes) {
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (bytes.length != SIZE) {
                throw new IllegalArgumentException("train-step-report payload must be " + SIZE + " bytes, got "
                        + bytes.length);
            }
            long step = in.getLong();
            int phase = in.getInt();
            if (phase < 0 || phase >= TrainingPhase.values().length) {
                throw new IllegalArgumentException("train-step-report " + step + ": unknown phase " + phase);
            }
            return new TrainStepReport(step, TrainingPhase.values()[phase], in.getDouble(), in.getDouble(),
                    in.getDouble(), in.getInt(), in.getDouble(), in.getDouble());
        }
    }
}
