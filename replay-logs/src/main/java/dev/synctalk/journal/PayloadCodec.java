package dev.synctalk.journal;

/** Encodes one message type for the journal (little-endian). Discovered with ServiceLoader. */
public interface PayloadCodec<T> {
    String typeName();

    Class<T> type();

    byte[] encode(T value);

    T decode(byte[] bytes);
}
