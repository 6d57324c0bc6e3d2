package dev.synctalk.expression;

import dev.synctalk.codec.TensorPayload;
import dev.synctalk.journal.PayloadCodec;
import java.nio.ByteBuffer;

/** Journal layout: long frameIndex, float32 tensor [52] (the bs.npy row), float32 tensor [7] (core). */
public final class ExpressionCoeffsCodec implements PayloadCodec<ExpressionCoeffs> {
    private static final int[] ROW = {52};
    private static final int[] CORE = {7};

    @Override
    public String typeName() {
        return "expression-coeffs/1";
    }

    @Override
    public Class<ExpressionCoeffs> type() {
        return ExpressionCoeffs.class;
    }

    @Override
    public byte[] encode(ExpressionCoeffs e) {
        ByteBuffer out = TensorPayload.allocate(8 + TensorPayload.floatTensorBytes(ROW) + TensorPayload.floatTensorBytes(CORE));
        out.putLong(e.frameIndex());
        TensorPayload.putFloats(out, ROW, e.blendshapes52());
        TensorPayload.putFloats(out, CORE, e.core7());
        return out.array();
    }

    @Override
    public ExpressionCoeffs decode(byte[] bytes) {
        ByteBuffer in = TensorPayload.wrap(bytes);
        long frame = in.getLong();
        int[] rowShape = TensorPayload.getShape(in);
        TensorPayload.requireRank(rowShape, 1, "expression-coeffs " + frame);
        float[] row = TensorPayload.getFloats(in, rowShape);
        int[] coreShape = TensorPayload.getShape(in);
        TensorPayload.requireRank(coreShape, 1, "expression-coeffs " + frame);
        float[] core = TensorPayload.getFloats(in, coreShape);
        TensorPayload.requireFullyRead(in, "expression-coeffs " + frame);
        return new ExpressionCoeffs(frame, row, core);
    }
}
