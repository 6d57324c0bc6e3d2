package dev.synctalk.tflite;

import dev.synctalk.tflite.OperatorOptions.Activation;
import dev.synctalk.tflite.OperatorOptions.Padding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of a {@code .tflite} file (the TFLite FlatBuffers schema, identifier {@code TFL3}):
 * operator codes, subgraphs with their tensors and operators, and the constant buffers. Only what an
 * interpreter needs is decoded; everything is copied out so the model does not keep the file open.
 */
public final class TfliteModel {

    /** Quantization parameters of a tensor; {@code scale} is empty when the tensor is not quantized. */
    public record Quantization(float[] scale, long[] zeroPoint, int quantizedDimension) {
        public boolean isQuantized() {
            return scale.length > 0;
        }
    }

    /**
     * @param buffer index into the model's buffers; buffer 0 is the empty sentinel (no constant data)
     */
    public record Tensor(int index, String name, int[] shape, TensorType type, int buffer, Quantization quantization) {
        public int elementCount() {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public String toString() {
            return "tensor " + index + " '" + name + "' " + type + Arrays.toString(shape);
        }
    }

    /** One operator: builtin code resolved through the model's operator_codes table. */
    public record Operator(int index, int builtinCode, String customCode, int[] inputs, int[] outputs,
                           OperatorOptions options) {
        public String opName() {
            return builtinCode == BuiltinOperator.CUSTOM.code() ? "CUSTOM(" + customCode + ")"
                    : BuiltinOperator.nameOf(builtinCode);
        }
    }

    public record Subgraph(String name, List<Tensor> tensors, int[] inputs, int[] outputs, List<Operator> operators) {
    }

    // Field indices of the schema's tables (field order in schema.fbs; unions take two slots).
    private static final int MODEL_VERSION = 0;
    private static final int MODEL_OPERATOR_CODES = 1;
    private static final int MODEL_SUBGRAPHS = 2;
    private static final int MODEL_DESCRIPTION = 3;
    private static final int MODEL_BUFFERS = 4;
    private static final int OPCODE_DEPRECATED_BUILTIN = 0;
    private static final int OPCODE_CUSTOM = 1;
    private static final int OPCODE_BUILTIN = 3;
    private static final int SUBGRAPH_TENSORS = 0;
    private static final int SUBGRAPH_INPUTS = 1;
    private static final int SUBGRAPH_OUTPUTS = 2;
    private static final int SUBGRAPH_OPERATORS = 3;
    private static final int SUBGRAPH_NAME = 4;
    private static final int TENSOR_SHAPE = 0;
    private static final int TENSOR_TYPE = 1;
    private static final int TENSOR_BUFFER = 2;
    private static final int TENSOR_NAME = 3;
    private static final int TENSOR_QUANTIZATION = 4;
    private static final int QUANT_SCALE = 2;
    private static final int QUANT_ZERO_POINT = 3;
    private static final int QUANT_DIMENSION = 6;
    private static final int OP_OPCODE_INDEX = 0;
    private static final int OP_INPUTS = 1;
    private static final int OP_OUTPUTS = 2;
    private static final int OP_OPTIONS_TYPE = 3;
    private static final int OP_OPTIONS = 4;
    private static final int BUFFER_DATA = 0;
    private static final int BUFFER_OFFSET = 1;
    // BuiltinOptions union members decoded here.
    private static final int OPTIONS_CONV_2D = 1;
    private static final int OPTIONS_CONCATENATION = 10;
    private static final int OPTIONS_ADD = 11;
    private static final int OPTIONS_RESHAPE = 17;
    private static final int OPTIONS_MUL = 21;
    private static final int OPTIONS_REDUCER = 27;
    private static final int OPTIONS_SUB = 28;
    private static final int OPTIONS_DIV = 29;
    private static final int OPTIONS_STRIDED_SLICE = 32;

    private final String source;
    private final int version;
    private final String description;
    private final List<Subgraph> subgraphs;
    private final List<byte[]> buffers;

    private TfliteModel(String source, int version, String description, List<Subgraph> subgraphs, List<byte[]> buffers) {
        this.source = source;
        this.version = version;
        this.description = description;
        this.subgraphs = List.copyOf(subgraphs);
        this.buffers = buffers;
    }

    public static TfliteModel read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /** @param source names the file in error messages */
    public static TfliteModel read(byte[] bytes, String source) {
        if (bytes.length < 8 || bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
            throw new IllegalArgumentException(source + " is not a TFLite model (no TFL3 identifier)");
        }
        try {
            return decode(bytes, source);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(source + ": truncated or corrupt TFLite flatbuffer", e);
        }
    }

    private static TfliteModel decode(byte[] bytes, String source) {
        FlatTable model = FlatTable.root(ByteBuffer.wrap(bytes));
        int version = model.getInt(MODEL_VERSION, 0);
        if (version != 3) {
            throw new IllegalArgumentException(source + ": TFLite schema version " + version + ", this reader knows 3");
        }
        int codeCount = model.vectorLength(MODEL_OPERATOR_CODES);
        int[] builtinCodes = new int[codeCount];
        String[] customCodes = new String[codeCount];
        for (int i = 0; i < codeCount; i++) {
            FlatTable code = model.tableAt(MODEL_OPERATOR_CODES, i);
            // Codes above 127 only fit the int32 field; older writers fill only the byte field.
            int deprecated = code.getByte(OPCODE_DEPRECATED_BUILTIN, (byte) 0);
            int builtin = code.getInt(OPCODE_BUILTIN, 0);
            builtinCodes[i] = Math.max(deprecated, builtin);
            customCodes[i] = code.string(OPCODE_CUSTOM);
        }
        List<byte[]> buffers = new ArrayList<>();
        for (int i = 0; i < model.vectorLength(MODEL_BUFFERS); i++) {
            FlatTable buffer = model.tableAt(MODEL_BUFFERS, i);
            if (buffer.getLong(BUFFER_OFFSET, 0) > 1) {
                throw new IllegalArgumentException(source + ": buffer " + i
                        + " is stored outside the flatbuffer (models over 2 GB), which this reader does not support");
            }
            buffers.add(buffer.byteVector(BUFFER_DATA));
        }
        List<Subgraph> subgraphs = new ArrayList<>();
        for (int s = 0; s < model.vectorLength(MODEL_SUBGRAPHS); s++) {
            subgraphs.add(subgraph(model.tableAt(MODEL_SUBGRAPHS, s), s, builtinCodes, customCodes, buffers.size(), source));
        }
        return new TfliteModel(source, version, model.string(MODEL_DESCRIPTION), subgraphs, buffers);
    }

    private static Subgraph subgraph(FlatTable graph, int s, int[] builtinCodes, String[] customCodes, int bufferCount,
            String source) {
        List<Tensor> tensors = new ArrayList<>();
        for (int t = 0; t < graph.vectorLength(SUBGRAPH_TENSORS); t++) {
            FlatTable tensor = graph.tableAt(SUBGRAPH_TENSORS, t);
            int buffer = tensor.getInt(TENSOR_BUFFER, 0);
            if (buffer < 0 || buffer >= bufferCount) {
                throw new IllegalArgumentException(source + ": subgraph " + s + " tensor " + t + " names buffer " + buffer
                        + " of " + bufferCount);
            }
            FlatTable q = tensor.table(TENSOR_QUANTIZATION);
            Quantization quantization = q == null ? new Quantization(new float[0], new long[0], 0)
                    : new Quantization(q.floatVector(QUANT_SCALE), q.longVector(QUANT_ZERO_POINT), q.getInt(QUANT_DIMENSION, 0));
            tensors.add(new Tensor(t, tensor.string(TENSOR_NAME), tensor.intVector(TENSOR_SHAPE),
                    TensorType.of(tensor.getByte(TENSOR_TYPE, (byte) 0)), buffer, quantization));
        }
        List<Operator> operators = new ArrayList<>();
        for (int o = 0; o < graph.vectorLength(SUBGRAPH_OPERATORS); o++) {
            FlatTable op = graph.tableAt(SUBGRAPH_OPERATORS, o);
            int opcodeIndex = op.getInt(OP_OPCODE_INDEX, 0);
            if (opcodeIndex < 0 || opcodeIndex >= builtinCodes.length) {
                throw new IllegalArgumentException(source + ": operator " + o + " has opcode index " + opcodeIndex
                        + " of " + builtinCodes.length);
            }
            String where = source + " operator " + o + " (" + BuiltinOperator.nameOf(builtinCodes[opcodeIndex]) + ")";
            int optionsType = Byte.toUnsignedInt(op.getByte(OP_OPTIONS_TYPE, (byte) 0));
            OperatorOptions options = options(optionsType, op.table(OP_OPTIONS), where);
            operators.add(new Operator(o, builtinCodes[opcodeIndex], customCodes[opcodeIndex], op.intVector(OP_INPUTS),
                    op.intVector(OP_OUTPUTS), options));
        }
        return new Subgraph(graph.string(SUBGRAPH_NAME), tensors, graph.intVector(SUBGRAPH_INPUTS),
                graph.intVector(SUBGRAPH_OUTPUTS), operators);
    }

    private static OperatorOptions options(int unionType, FlatTable table, String where) {
        if (unionType == 0 || table == null) {
            return new OperatorOptions.None();
        }
        return switch (unionType) {
            case OPTIONS_ADD, OPTIONS_SUB, OPTIONS_MUL, OPTIONS_DIV ->
                    new OperatorOptions.Fused(Activation.of(table.getByte(0, (byte) 0), where));
            case OPTIONS_CONV_2D -> new OperatorOptions.Conv2D(
                    table.getByte(0, (byte) 0) == 0 ? Padding.SAME : Padding.VALID,
                    table.getInt(1, 0), table.getInt(2, 0),
                    Activation.of(table.getByte(3, (byte) 0), where),
                    table.getInt(4, 1), table.getInt(5, 1));
            case OPTIONS_CONCATENATION -> new OperatorOptions.Concatenation(table.getInt(0, 0),
                    Activation.of(table.getByte(1, (byte) 0), where));
            case OPTIONS_REDUCER -> new OperatorOptions.Reducer(table.getBool(0, false));
            case OPTIONS_STRIDED_SLICE -> new OperatorOptions.StridedSlice(table.getInt(0, 0), table.getInt(1, 0),
                    table.getInt(2, 0), table.getInt(3, 0), table.getInt(4, 0), table.getBool(5, false));
            case OPTIONS_RESHAPE -> new OperatorOptions.Reshape(table.intVector(0));
            default -> new OperatorOptions.Other(unionType);
        };
    }

    public String source() {
        return source;
    }

    public int version() {
        return version;
    }

    public String description() {
        return description;
    }

    public List<Subgraph> subgraphs() {
        return subgraphs;
    }

    public Subgraph mainSubgraph() {
        if (subgraphs.isEmpty()) {
            throw new IllegalArgumentException(source + " has no subgraph");
        }
        return subgraphs.get(0);
    }

    public int bufferCount() {
        return buffers.size();
    }

    /** The constant bytes of buffer {@code index} (little-endian elements); empty for non-constant tensors. */
    public byte[] bufferData(int index) {
        return buffers.get(index).clone();
    }

    /** The constant bytes of a tensor; empty when the tensor is computed at run time. */
    public byte[] constantData(Tensor tensor) {
        return buffers.get(tensor.buffer()).clone();
    }

    boolean isConstant(Tensor tensor) {
        return buffers.get(tensor.buffer()).length > 0;
    }

    byte[] constantDataUnsafe(Tensor tensor) {
        return buffers.get(tensor.buffer());
    }

    /** How many operators of each kind the main subgraph has, in order of first use. */
    public Map<String, Integer> operatorCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Operator op : mainSubgraph().operators()) {
            counts.merge(op.opName(), 1, Integer::sum);
        }
        return counts;
    }

    /** One line per operator of the main subgraph: index, op, input and output tensors with shapes. */
    public String describe() {
        Subgraph g = mainSubgraph();
        StringBuilder out = new StringBuilder();
        out.append(source).append(": ").append(g.tensors().size()).append(" tensors, ").append(g.operators().size())
                .append(" operators ").append(operatorCounts()).append('\n');
        for (Operator op : g.operators()) {
            out.append(String.format("%4d %-20s", op.index(), op.opName()));
            for (int i : op.inputs()) {
                out.append(' ').append(i < 0 ? "-" : i + g.tensors().get(i).type().name().toLowerCase()
                        + Arrays.toString(g.tensors().get(i).shape()));
            }
            out.append(" ->");
            for (int o : op.outputs()) {
                out.append(' ').append(o).append(Arrays.toString(g.tensors().get(o).shape()));
            }
            out.append(' ').append(op.options()).append('\n');
        }
        return out.toString();
    }
}
