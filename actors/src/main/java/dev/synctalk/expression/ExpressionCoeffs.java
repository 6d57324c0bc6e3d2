package dev.synctalk.expression;

import dev.synctalk.features.FeatureTensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One frame's smoothed expression coefficients.
 *
 * @param blendshapes52 the frame's row of SyncTalk's bs.npy: MediaPipe's 52 scores without
 *                      {@code _neutral}, then a 0 (column names {@link #COLUMN_NAMES})
 * @param core7 the paper's 7 core coefficients, columns {@link #CORE_COLUMNS} of that row
 *              (browDownLeft, browDownRight, browInnerUp, browOuterUpLeft, browOuterUpRight, eyeBlinkLeft,
 *              eyeBlinkRight), what SyncTalk's default "upper" expression area feeds the model
 */
public record ExpressionCoeffs(long frameIndex, float[] blendshapes52, float[] core7) implements FeatureTensor {

    /** bs.npy column names: MediaPipe's categories 1..51, then the padding column SyncTalk appends. */
    public static final List<String> COLUMN_NAMES = IntStream.range(0, 52)
            .mapToObj(c -> c < 51 ? BlendshapeNetwork.NAMES.get(c + 1) : "(zero)").toList();

    /** bs.npy columns of the 7 core coefficients, in {@link #core7} order. */
    public static final int[] CORE_COLUMNS = {0, 1, 2, 3, 4, 8, 9};

    public ExpressionCoeffs {
        if (blendshapes52.length != 52) {
            throw new IllegalArgumentException("frame " + frameIndex + ": expected 52 blendshape columns, got "
                    + blendshapes52.length);
        }
        if (core7.length != CORE_COLUMNS.length) {
            throw new IllegalArgumentException("frame " + frameIndex + ": expected 7 core coefficients, got " + core7.length);
        }
    }

    /** Builds the record from a bs.npy row, taking the core 7 from their columns. */
    public static ExpressionCoeffs ofRow(long frameIndex, float[] row) {
        float[] core = new float[CORE_COLUMNS.length];
        for (int i = 0; i < core.length; i++) {
            core[i] = row[CORE_COLUMNS[i]];
        }
        return new ExpressionCoeffs(frameIndex, row.clone(), core);
    }

    /** The bs.npy row for MediaPipe's 52 scores (index 0 {@code _neutral}): drop index 0, append 0. */
    public static float[] rowOfScores(float[] mediapipeScores) {
        if (mediapipeScores.length != BlendshapeNetwork.SCORE_COUNT) {
            throw new IllegalArgumentException("expected 52 MediaPipe scores, got " + mediapipeScores.length);
        }
        float[] row = new float[52];
        System.arraycopy(mediapipeScores, 1, row, 0, 51);
        return row;
    }

    @Override
    public int[] shape() {
        return new int[] {52};
    }

    @Override
    public float[] data() {
        return blendshapes52;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpressionCoeffs e && e.frameIndex == frameIndex && Arrays.equals(e.blendshapes52, blendshapes52)
                && Arrays.equals(e.core7, core7);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(frameIndex) * 31 + Arrays.hashCode(blendshapes52);
    }

    @Override
    public String toString() {
        return "ExpressionCoeffs[frame " + frameIndex + ", core " + Arrays.toString(core7) + "]";
    }
}
