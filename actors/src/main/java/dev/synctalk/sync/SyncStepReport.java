package dev.synctalk.sync;

import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.journal.PayloadCodec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one Face-Sync training step reports (frame index = step). For the expert: loss (Eq. 2), accuracy
 * (P_sync on the right side of 0.5), mean P_sync of the in-sync and off-sync pairs; reconstruction and
 * sync are NaN. For the AVE: loss (total), reconstruction (Eq. 3), sync (Eq. 2 of the generated windows),
 * mean P_sync of the generated windows as {@code pInSync}; accuracy and pOffSync are NaN.
 */
public record SyncStepReport(long frameIndex, Kind kind, double loss, double accuracy, double pInSync, double pOffSync,
                             double reconstruction, double sync) implements Indexed {

    /** Which network the step trained. New kinds go last (journaled ordinals). */
    public enum Kind {
        EXPERT, AVE
    }

    /** journal layout: long step, int kind ordinal, 6 doubles (little-endian). */
    public static final class Codec implements PayloadCodec<SyncStepReport> {
        private static final int SIZE = 8 + 4 + 6 * 8;

        @Override
        public String typeName() {
            return "sync-step-report";
        }

        @Override
        public Class<SyncStepReport> type() {
            return SyncStepReport.class;
        }

        @Override
        public byte[] encode(SyncStepReport r) {
            ByteBuffer out = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(r.frameIndex()).putInt(r.kind().ordinal()).putDouble(r.loss()).putDouble(r.accuracy())
                    .putDouble(r.pInSync()).putDouble(r.pOffSync()).putDouble(r.reconstruction()).putDouble(r.sync());
            return out.array();
        }

        @Override
        public SyncStepReport decode(byte[] bytes) {
            if (bytes.length != SIZE) {
                throw new IllegalArgumentException("sync-step-report payload must be " + SIZE + " bytes, got "
                        + bytes.length);
            }
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long step = in.getLong();
            int kind = in.getInt();
            if (kind < 0 || kind >= Kind.values().length) {
                throw new IllegalArgumentException("sync-step-report " + step + ": unknown kind " + kind);
            }
            return new SyncStepReport(step, Kind.values()[kind], in.getDouble(), in.getDouble(), in.getDouble(),
                    in.getDouble(), in.getDouble(), in.getDouble());
        }
    }
}
