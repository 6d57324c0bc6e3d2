package dev.synctalk.tflite;

/**
 * The builtin options of an operator (the {@code BuiltinOptions} union of the schema), decoded for the
 * option tables this reader knows; the others keep only their union type so that an op that needs
 * them can fail with a clear message.
 */
public sealed interface OperatorOptions {

    /** {@code ActivationFunctionType}: applied to the op's output ("fused"). */
    enum Activation {
        NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT;

        static Activation of(int code, String where) {
            if (code < 0 || code >= values().length) {
                throw new IllegalArgumentException(where + ": unknown fused activation code " + code);
            }
            return values()[code];
        }
    }

    enum Padding {
        SAME, VALID
    }

    /** The op has no options table. */
    record None() implements OperatorOptions {
    }

    /** A union member this reader does not decode. */
    record Other(int unionType) implements OperatorOptions {
    }

    /** AddOptions, SubOptions, MulOptions, DivOptions: only the fused activation matters in float. */
    record Fused(Activation activation) implements OperatorOptions {
    }

    record Conv2D(Padding padding, int strideW, int strideH, Activation activation, int dilationW, int dilationH)
            implements OperatorOptions {
    }

    record Concatenation(int axis, Activation activation) implements OperatorOptions {
    }

    /** ReducerOptions (MEAN, SUM, REDUCE_MAX, ...). */
    record Reducer(boolean keepDims) implements OperatorOptions {
    }

    record StridedSlice(int beginMask, int endMask, int ellipsisMask, int newAxisMask, int shrinkAxisMask,
                        boolean offset) implements OperatorOptions {
    }

    record Reshape(int[] newShape) implements OperatorOptions {
    }
}
