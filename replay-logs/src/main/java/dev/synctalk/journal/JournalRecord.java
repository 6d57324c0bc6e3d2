package dev.synctalk.journal;

import java.util.Arrays;
import java.util.Objects;

/**
 * One journal record. {@code schemaVersion} is {@link #SCHEMA_VERSION} for everything this build writes
 * (version 2: each record ends with a CRC-32C of its bytes); records of version 1 (no checksum) are still read.
 * Equality compares the payload bytes, not the array identity.
 */
public record JournalRecord(int schemaVersion, String runId, String stage, String port, long frameIndex,
                            String payloadType, byte[] payload) {

    public static final int SCHEMA_VERSION = 2;

    public JournalRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(payloadType, "payloadType");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JournalRecord that
                && schemaVersion == that.schemaVersion
                && frameIndex == that.frameIndex
                && runId.equals(that.runId)
                && stage.equals(that.stage)
                && port.equals(that.port)
                && payloadType.equals(that.payloadType)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schemaVersion, runId, stage, port, frameIndex, payloadType) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "JournalRecord[schemaVersion=" + schemaVersion + ", runId=" + runId + ", stage=" + stage
                + ", port=" + port + ", frameIndex=" + frameIndex + ", payloadType=" + payloadType
                + ", payloadBytes=" + payload.length + "]";
    }
}
