package dev.synctalk.eval;

/**
 * A metric has no value for these inputs, for a documented reason (a constant series has no correlation,
 * a single frame no flicker, a render without a face no LMD): the report shows the column as absent with
 * this message instead of a number.
 */
public final class UndefinedMetricException extends RuntimeException {
    public UndefinedMetricException(String reason) {
        super(reason);
    }
}
