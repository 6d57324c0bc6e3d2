package dev.synctalk.journal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Bytes of one record inside a Chronicle document, all little-endian:
 * {@code int schemaVersion, string runId, string stage, string port, long frameIndex, string payloadType,
 * int payloadLength, byte[payloadLength], int crc32c}, where a string is {@code int byteLength} followed by
 * UTF-8 bytes and the CRC-32C covers every byte before it. Schema version 1 (journals of earlier builds) is
 * the same without the checksum; it is still read, unverified. The layout is our own (not Chronicle Wire) so
 * that it can be read without Chronicle.
 */
final class RecordFormat {

    /** Longer names than this are garbage, not stage or type names. */
    static final int MAX_STRING_BYTES = 4096;
    /** Records of schema version 1 carry no checksum. */
    static final int UNCHECKED_SCHEMA_VERSION = 1;
    static final int CHECKSUM_BYTES = Integer.BYTES;

    private RecordFormat() {
    }

    /** A record whose bytes do not read back; {@code frameIndex} is what its frame field holds, or -1. */
    static final class Damage extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final long frameIndex;

        Damage(String reason, long frameIndex, Throwable cause) {
            super(reason, cause);
            this.frameIndex = frameIndex;
        }

        long frameIndex() {
            return frameIndex;
        }
    }

    static byte[] encode(JournalRecord record) {
        byte[] runId = utf8(record.runId());
        byte[] stage = utf8(record.stage());
        byte[] port = utf8(record.port());
        byte[] payloadType = utf8(record.payloadType());
        long size = Integer.BYTES + 4L * Integer.BYTES + runId.length + stage.length + port.length
                + payloadType.length + Long.BYTES + Integer.BYTES + record.payload().length
                + (record.schemaVersion() == UNCHECKED_SCHEMA_VERSION ? 0 : CHECKSUM_BYTES);
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
        if (record.schemaVersion() != UNCHECKED_SCHEMA_VERSION) {
            out.putInt(checksum(out.array(), out.position()));
        }
        return out.array();
    }

    /** CRC-32C of {@code bytes[0, length)}. */
    static int checksum(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * Parses one record, verifying its checksum first (schema version 2 and later).
     *
     * @throws Damage saying what is wrong with the bytes
     */
    static JournalRecord decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int schemaVersion = bytes.length >= Integer.BYTES ? in.getInt(0) : -1;
        int fieldsEnd = bytes.length;
        if (schemaVersion == JournalRecord.SCHEMA_VERSION) {
            if (bytes.length < Integer.BYTES + CHECKSUM_BYTES) {
                throw new Damage("record is truncated: " + bytes.length + " bytes", -1, null);
            }
            fieldsEnd = bytes.length - CHECKSUM_BYTES;
            int stored = in.getInt(fieldsEnd);
            int computed = checksum(bytes, fieldsEnd);
            if (stored != computed) {
                throw new Damage(String.format("checksum mismatch (stored CRC-32C %08x, the bytes give %08x)", stored,
                        computed), frameIndexField(bytes), null);
            }
        } else if (schemaVersion != UNCHECKED_SCHEMA_VERSION) {
            throw new Damage("unknown schema version " + schemaVersion + " (this build reads versions "
                    + UNCHECKED_SCHEMA_VERSION + " and " + JournalRecord.SCHEMA_VERSION + ")", -1, null);
        }
        return parseFields(in.limit(fieldsEnd), schemaVersion, bytes.length);
    }

    private static JournalRecord parseFields(ByteBuffer in, int schemaVersion, int recordBytes) {
        long frameIndex = -1;
        try {
            in.position(Integer.BYTES);
            String runId = getString(in, "runId");
            String stage = getString(in, "stage");
            String port = getString(in, "port");
            frameIndex = in.getLong();
            String payloadType = getString(in, "payloadType");
            int payloadLength = in.getInt();
            if (payloadLength < 0 || payloadLength > in.remaining()) {
                throw new Damage("payload length " + payloadLength + " but " + in.remaining()
                        + " bytes remain in the record", frameIndex, null);
            }
            byte[] payload = new byte[payloadLength];
            in.get(payload);
            if (in.hasRemaining()) {
                throw new Damage(in.remaining() + " unexpected bytes after the payload", frameIndex, null);
            }
            return new JournalRecord(schemaVersion, runId, stage, port, frameIndex, payloadType, payload);
        } catch (BufferUnderflowException e) {
            throw new Damage("record is truncated: " + recordBytes + " bytes end inside a field", frameIndex, e);
        } catch (Damage e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Damage(e.getMessage(), frameIndex, e);
        }
    }

    /** The frame index field of damaged bytes, or -1 when the names before it do not even parse. */
    private static long frameIndexField(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            in.position(Integer.BYTES);
            for (int field = 0; field < 3; field++) {
                int length = in.getInt();
                if (length < 0 || length > MAX_STRING_BYTES || length > in.remaining()) {
                    return -1;
                }
                in.position(in.position() + length);
            }
            return in.getLong();
        } catch (BufferUnderflowException e) {
            return -1;
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
