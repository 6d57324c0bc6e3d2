package dev.synctalk.eval;

import java.util.Locale;

/**
 * One figure of a quality report: a value, or the reason it is absent (never a placeholder number).
 *
 * @param key    stable name in report.json, compared across runs
 * @param label  what a person reads in report.md
 * @param unit   "dB", "px", "frames", "" for plain numbers
 * @param better "higher", "lower", or "" when neither is better (e.g. an offset, best at 0)
 * @param value  the figure (may be +Infinity, e.g. the PSNR of an exact render); NaN when absent
 * @param absent why there is no value; null when there is one
 * @param note   how it was measured (frames counted, scales used), or ""
 */
public record MetricColumn(String key, String label, String unit, String better, double value, String absent,
        String note) {
    public MetricColumn {
        if ((absent == null) == Double.isNaN(value)) {
            throw new IllegalArgumentException("metric " + key + " must have either a value or an absent reason, has "
                    + value + " and " + absent);
        }
        note = note == null ? "" : note;
    }

    public static MetricColumn of(String key, String label, String unit, String better, double value, String note) {
        return new MetricColumn(key, label, unit, better, value, null, note);
    }

    public static MetricColumn absent(String key, String label, String unit, String better, String reason) {
        return new MetricColumn(key, label, unit, better, Double.NaN, reason, "");
    }

    public boolean present() {
        return absent == null;
    }

    /** The value as report.md shows it: "inf" for an exact match, 4 significant digits otherwise. */
    public String formatted() {
        if (!present()) {
            return "absent";
        }
        return format(value);
    }

    public static String format(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e6) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.4g", value);
    }
}
