package dev.synctalk.tflite;

/** Element types of the TFLite schema ({@code enum TensorType : byte}), with their storage size. */
public enum TensorType {
    FLOAT32(0, 4), FLOAT16(1, 2), INT32(2, 4), UINT8(3, 1), INT64(4, 8), STRING(5, -1), BOOL(6, 1), INT16(7, 2),
    COMPLEX64(8, 8), INT8(9, 1), FLOAT64(10, 8), COMPLEX128(11, 16), UINT64(12, 8), RESOURCE(13, -1),
    VARIANT(14, -1), UINT32(15, 4), UINT16(16, 2), INT4(17, -1);

    private final int code;
    private final int bytesPerElement;

    TensorType(int code, int bytesPerElement) {
        this.code = code;
        this.bytesPerElement = bytesPerElement;
    }

    public int code() {
        return code;
    }

    /** Bytes per element, or -1 for variable-size and packed types. */
    public int bytesPerElement() {
        return bytesPerElement;
    }

    public static TensorType of(int code) {
        for (TensorType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown TFLite tensor type code " + code);
    }
}
