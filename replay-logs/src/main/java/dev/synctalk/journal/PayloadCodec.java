package dev.synctalk.journal;

/**
 * Encodes one message type for the journal. Implementations live next to the message types (other modules)
 * and are found through {@link java.util.ServiceLoader} ({@code META-INF/services/dev.synctalk.journal.PayloadCodec})
 * or registered by hand on {@link PayloadCodecs}.
 *
 * @param <T> the message type
 */
public interface PayloadCodec<T> {

    /** Stable name written into every record, e.g. {@code "media.VideoFrame/1"}; bump the suffix when the bytes change. */
    String typeName();

    Class<T> type();

    /** Little-endian bytes of {@code value}; {@link TensorWire} helps with tensors. */
    byte[] encode(T value);

    T decode(byte[] bytes);
}
