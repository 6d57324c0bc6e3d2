package dev.synctalk.tflite;

import dev.synctalk.tflite.OperatorOptions.Activation;
import dev.synctalk.tflite.TfliteModel.Operator;
import dev.synctalk.tflite.TfliteModel.Subgraph;
import dev.synctalk.tflite.TfliteModel.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the main subgraph of a {@link TfliteModel} on the CPU in float32, operator by operator in file
 * order (TFLite stores operators topologically sorted). Supports the ops listed in {@link #SUPPORTED},
 * float32 and int32 tensors and float16 weights behind DEQUANTIZE; anything else is refused when the
 * interpreter is built, naming the operator and tensor. Operators whose inputs are all constant (the
 * weight DEQUANTIZEs) are evaluated once at construction. Instances are immutable and thread-safe.
 */
public final class TfliteInterpreter {

    public static final Set<BuiltinOperator> SUPPORTED = EnumSet.of(
            BuiltinOperator.ADD, BuiltinOperator.SUB, BuiltinOperator.MUL, BuiltinOperator.DIV,
            BuiltinOperator.SQUARED_DIFFERENCE, BuiltinOperator.NEG, BuiltinOperator.SQRT, BuiltinOperator.RSQRT,
            BuiltinOperator.LOGISTIC, BuiltinOperator.MEAN, BuiltinOperator.SUM, BuiltinOperator.RESHAPE,
            BuiltinOperator.TRANSPOSE, BuiltinOperator.STRIDED_SLICE, BuiltinOperator.CONCATENATION,
            BuiltinOperator.CONV_2D, BuiltinOperator.DEQUANTIZE);

    private final TfliteModel model;
    private final Subgraph graph;
    private final TensorData[] constants;
    private final List<Operator> runtimeOps = new ArrayList<>();

    public TfliteInterpreter(TfliteModel model) {
        this.model = model;
        this.graph = model.mainSubgraph();
        this.constants = new TensorData[graph.tensors().size()];
        for (Tensor t : graph.tensors()) {
            if (model.isConstant(t)) {
                constants[t.index()] = load(t);
            }
        }
        for (Operator op : graph.operators()) {
            BuiltinOperator kind = BuiltinOperator.of(op.builtinCode());
            if (kind == null || !SUPPORTED.contains(kind)) {
                throw new IllegalArgumentException(where(op) + " is not supported by this interpreter (supported: "
                        + SUPPORTED + ")");
            }
            for (int o : op.outputs()) {
                requireRuntimeType(graph.tensors().get(o), op);
            }
            boolean allConstant = true;
            for (int i : op.inputs()) {
                allConstant &= i < 0 || constants[i] != null;
            }
            if (allConstant) {
                TensorData[] produced = execute(op, constants);
                for (int k = 0; k < op.outputs().length; k++) {
                    constants[op.outputs()[k]] = produced[k];
                }
            } else {
                runtimeOps.add(op);
            }
        }
        for (int input : graph.inputs()) {
            requireRuntimeType(graph.tensors().get(input), null);
        }
    }

    public TfliteModel model() {
        return model;
    }

    public int inputCount() {
        return graph.inputs().length;
    }

    public int[] inputShape(int i) {
        return graph.tensors().get(graph.inputs()[i]).shape().clone();
    }

    public int[] outputShape(int i) {
        return graph.tensors().get(graph.outputs()[i]).shape().clone();
    }

    /** Runs the graph on float32 inputs (row-major, in the subgraph's input order); returns its outputs. */
    public float[][] run(float[]... inputs) {
        if (inputs.length != graph.inputs().length) {
            throw new IllegalArgumentException(model.source() + " takes " + graph.inputs().length + " inputs, got "
                    + inputs.length);
        }
        TensorData[] values = constants.clone();
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = graph.tensors().get(graph.inputs()[i]);
            if (inputs[i].length != t.elementCount()) {
                throw new IllegalArgumentException(model.source() + " input " + i + " '" + t.name() + "' needs "
                        + t.elementCount() + " floats " + Arrays.toString(t.shape()) + ", got " + inputs[i].length);
            }
            values[t.index()] = TensorData.ofFloats(t.shape(), inputs[i].clone());
        }
        for (Operator op : runtimeOps) {
            TensorData[] produced = execute(op, values);
            for (int k = 0; k < op.outputs().length; k++) {
                values[op.outputs()[k]] = produced[k];
            }
        }
        float[][] outputs = new float[graph.outputs().length][];
        for (int i = 0; i < outputs.length; i++) {
            TensorData v = values[graph.outputs()[i]];
            if (v == null) {
                throw new IllegalStateException(model.source() + ": output tensor " + graph.outputs()[i] + " was never computed");
            }
            outputs[i] = v.requireFloats(model.source() + " output " + i).clone();
        }
        return outputs;
    }

    private String where(Operator op) {
        return model.source() + " operator " + op.index() + " (" + op.opName() + ")";
    }

    private void requireRuntimeType(Tensor t, Operator op) {
        String at = op == null ? model.source() + " input" : where(op);
        if (t.quantization().isQuantized()) {
            throw new IllegalArgumentException(at + ": " + t + " is quantized (scale "
                    + Arrays.toString(t.quantization().scale()) + "); quantized execution is not supported");
        }
        if (t.type() != TensorType.FLOAT32 && t.type() != TensorType.INT32) {
            throw new IllegalArgumentException(at + ": " + t + " has type " + t.type() + ", only float32 and int32 run");
        }
    }

    private TensorData load(Tensor t) {
        byte[] data = model.constantDataUnsafe(t);
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.elementCount();
        String at = model.source() + " constant " + t;
        if (t.type().bytesPerElement() > 0 && data.length != n * t.type().bytesPerElement()) {
            throw new IllegalArgumentException(at + " has " + data.length + " bytes for " + n + " elements");
        }
        if (t.quantization().isQuantized()) {
            throw new IllegalArgumentException(at + " is quantized (" + t.type() + " with scale "
                    + Arrays.toString(t.quantization().scale()) + "); only float32 and float16 weights are supported");
        }
        return switch (t.type()) {
            case FLOAT32 -> {
                float[] v = new float[n];
                in.asFloatBuffer().get(v);
                yield TensorData.ofFloats(t.shape(), v);
            }
            case INT32 -> {
                int[] v = new int[n];
                in.asIntBuffer().get(v);
                yield TensorData.ofInts(t.shape(), v);
            }
            case FLOAT16 -> {
                short[] v = new short[n];
                in.asShortBuffer().get(v);
                yield TensorData.ofHalfs(t.shape(), v);
            }
            default -> throw new IllegalArgumentException(at + " has type " + t.type()
                    + "; only float32, float16 and int32 constants are supported");
        };
    }

    private TensorData input(Operator op, TensorData[] values, int k) {
        if (k >= op.inputs().length || op.inputs()[k] < 0) {
            throw new IllegalArgumentException(where(op) + " lacks input " + k);
        }
        TensorData v = values[op.inputs()[k]];
        if (v == null) {
            throw new IllegalStateException(where(op) + ": input tensor " + op.inputs()[k] + " is not computed yet");
        }
        return v;
    }

    private <T extends OperatorOptions> T options(Operator op, Class<T> type, T defaults) {
        OperatorOptions o = op.options();
        if (o instanceof OperatorOptions.None) {
            return defaults;
        }
        if (!type.isInstance(o)) {
            throw new IllegalArgumentException(where(op) + ": expected " + type.getSimpleName() + " options, found " + o);
        }
        return type.cast(o);
    }

    private Activation fused(Operator op) {
        return options(op, OperatorOptions.Fused.class, new OperatorOptions.Fused(Activation.NONE)).activation();
    }

    private TensorData[] execute(Operator op, TensorData[] values) {
        String where = where(op);
        BuiltinOperator kind = BuiltinOperator.of(op.builtinCode());
        TensorData result = switch (kind) {
            case ADD -> TfliteKernels.binary(input(op, values, 0), input(op, values, 1), Float::sum, fused(op), where);
            case SUB -> TfliteKernels.binary(input(op, values, 0), input(op, values, 1), (a, b) -> a - b, fused(op), where);
            case MUL -> TfliteKernels.binary(input(op, values, 0), input(op, values, 1), (a, b) -> a * b, fused(op), where);
            case DIV -> TfliteKernels.binary(input(op, values, 0), input(op, values, 1), (a, b) -> a / b, fused(op), where);
            case SQUARED_DIFFERENCE -> TfliteKernels.binary(input(op, values, 0), input(op, values, 1),
                    (a, b) -> (a - b) * (a - b), Activation.NONE, where);
            case NEG -> TfliteKernels.unary(input(op, values, 0), x -> -x, where);
            case SQRT -> TfliteKernels.unary(input(op, values, 0), x -> (float) Math.sqrt(x), where);
            case RSQRT -> TfliteKernels.unary(input(op, values, 0), x -> (float) (1.0 / Math.sqrt(x)), where);
            case LOGISTIC -> TfliteKernels.unary(input(op, values, 0), TfliteKernels::logistic, where);
            case MEAN, SUM -> TfliteKernels.reduce(input(op, values, 0), input(op, values, 1).requireInts(where),
                    options(op, OperatorOptions.Reducer.class, new OperatorOptions.Reducer(false)).keepDims(),
                    kind == BuiltinOperator.MEAN, where);
            case RESHAPE -> TfliteKernels.reshape(input(op, values, 0), reshapeTarget(op, values), where);
            case TRANSPOSE -> TfliteKernels.transpose(input(op, values, 0), input(op, values, 1).requireInts(where), where);
            case STRIDED_SLICE -> TfliteKernels.stridedSlice(input(op, values, 0),
                    input(op, values, 1).requireInts(where), input(op, values, 2).requireInts(where),
                    input(op, values, 3).requireInts(where),
                    options(op, OperatorOptions.StridedSlice.class, new OperatorOptions.StridedSlice(0, 0, 0, 0, 0, false)),
                    where);
            case CONCATENATION -> {
                List<TensorData> parts = new ArrayList<>();
                for (int k = 0; k < op.inputs().length; k++) {
                    parts.add(input(op, values, k));
                }
                OperatorOptions.Concatenation c = options(op, OperatorOptions.Concatenation.class,
                        new OperatorOptions.Concatenation(0, Activation.NONE));
                yield TfliteKernels.concatenate(parts, c.axis(), c.activation(), where);
            }
            case CONV_2D -> {
                OperatorOptions.Conv2D c = options(op, OperatorOptions.Conv2D.class, null);
                if (c == null) {
                    throw new IllegalArgumentException(where + " has no Conv2DOptions");
                }
                TensorData bias = op.inputs().length > 2 && op.inputs()[2] >= 0 ? input(op, values, 2) : null;
                yield TfliteKernels.conv2d(input(op, values, 0), input(op, values, 1), bias, c, where);
            }
            case DEQUANTIZE -> TfliteKernels.dequantize(input(op, values, 0), where);
            default -> throw new IllegalArgumentException(where + " is not supported by this interpreter");
        };
        Tensor declared = graph.tensors().get(op.outputs()[0]);
        // The shape the file declares checks our shape arithmetic; unknown dimensions are stored as -1.
        boolean dynamic = Arrays.stream(declared.shape()).anyMatch(d -> d < 0);
        if (!dynamic && !Arrays.equals(declared.shape(), result.shape())) {
            throw new IllegalStateException(where + " computed " + result + " but the model declares " + declared);
        }
        return new TensorData[] {result};
    }

    private int[] reshapeTarget(Operator op, TensorData[] values) {
        if (op.inputs().length > 1 && op.inputs()[1] >= 0) {
            return input(op, values, 1).requireInts(where(op));
        }
        if (op.options() instanceof OperatorOptions.Reshape r && r.newShape().length > 0) {
            return r.newShape();
        }
        return graph.tensors().get(op.outputs()[0]).shape();
    }
}
