package dev.synctalk.journal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of one record inside a Chronicle document, all little-endian:
 * {@code int schemaVersion, string runId, string stage, string port, long frameIndex, string payloadType,
 * int payloadLength, byte[payloadLength]}, where a string is {@code int byteLength} followed by UTF-8 bytes.
 * The layout is our own (not Chronicle Wire) so that it can be read without Chronicle.
 */
final class RecordFormat {

    /** Longer names than this are garbage, not stage or type names. */
    static final int MAX_STRING_BYTES = 4096;

    private RecordFormat() {
    }

    static byte[] encode(JournalRecord record) {
        byte[] runId = utf8(record.runId());
        byte[] stage = utf8(record.stage());
        byte[] port = utf8(record.port());
        byte[] payloadType = utf8(record.payloadType());
        long size = Integer.BYTES + 4L * Integer.BYTES + runId.length + stage.length + port.length
                + payloadType.length + Long.BYTES + Integer.BYTES + record.payload().length;
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("record of frame " + record.frameIndex() + " is " + size
                    + " bytes, too large for one record");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(record.schemaVersion());
        putString(out, runId);
        putString(out, stage);
        putString(out, port);
        out.putLong(record.frameIndex());
        putString(out, payloadType);
        out.putInt(record.payload().length);
        out.put(record.payload());
        return out.array();
    }

    /** Parses one record; {@code IllegalArgumentException} says what is wrong with the bytes. */
    static JournalRecord decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int schemaVersion = in.getInt();
            if (schemaVersion != JournalRecord.SCHEMA_VERSION) {
                throw new IllegalArgumentException("unknown schema version " + schemaVersion + " (this build reads version "
                        + JournalRecord.SCHEMA_VERSION + ")");
            }
            String runId = getString(in, "runId");
            String stage = getString(in, "stage");
            String port = getString(in, "port");
            long frameIndex = in.getLong();
            String payloadType = getString(in, "payloadType");
            int payloadLength = in.getInt();
            if (payloadLength < 0 || payloadLength > in.remaining()) {
                throw new IllegalArgumentException("payload length " + payloadLength + " but " + in.remaining()
                        + " bytes remain in the record");
            }
            byte[] payload = new byte[payloadLength];
            in.get(payload);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " unexpected bytes after the payload");
            }
            return new JournalRecord(schemaVersion, runId, stage, port, frameIndex, payloadType, payload);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("record is truncated: " + bytes.length + " bytes end inside a field", e);
        }
    }

    private static void putString(ByteBuffer out, byte[] utf8) {
        out.putInt(utf8.length);
        out.put(utf8);
    }

    private static String getString(ByteBuffer in, String field) {
        int length = in.getInt();
        if (length < 0 || length > MAX_STRING_BYTES || length > in.remaining()) {
            throw new IllegalArgumentException("field " + field + " claims " + length + " bytes ("
                    + in.remaining() + " remain, at most " + MAX_STRING_BYTES + " allowed)");
        }
        ByteBuffer slice = in.slice().limit(length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("field " + field + " is not valid UTF-8", e);
        }
    }

    private static byte[] utf8(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("'" + value.substring(0, 40) + "...' is longer than "
                    + MAX_STRING_BYTES + " UTF-8 bytes");
        }
        return bytes;
    }
}
