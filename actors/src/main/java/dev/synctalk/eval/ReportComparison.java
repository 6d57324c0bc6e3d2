package dev.synctalk.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Two quality reports side by side as a text table: each metric's value in run A and in run B, and which
 * run it favours where the metric has a better direction. Metrics only one report has are listed with
 * "-" for the other; absent values show "absent".
 */
public final class ReportComparison {
    private ReportComparison() {
    }

    /** The table, its columns headed A and B, after a line naming each. */
    public static String format(String nameA, QualityReport a, String nameB, QualityReport b) {
        StringBuilder s = new StringBuilder();
        if (!a.mode().equals(b.mode())) {
            s.append("note: comparing a ").append(a.mode()).append(" report with a ").append(b.mode()).append(" report\n");
        }
        Set<String> metaKeys = new LinkedHashSet<>(a.meta().keySet());
        metaKeys.addAll(b.meta().keySet());
        s.append("A: ").append(nameA).append('\n').append("B: ").append(nameB).append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "A", "B", "favours"});
        rows.add(new String[] {"mode", a.mode(), b.mode(), ""});
        for (String k : metaKeys) {
            rows.add(new String[] {k, a.meta().getOrDefault(k, "-"), b.meta().getOrDefault(k, "-"), ""});
        }
        Map<String, MetricColumn> inA = byKey(a);
        Map<String, MetricColumn> inB = byKey(b);
        Set<String> keys = new LinkedHashSet<>(inA.keySet());
        keys.addAll(inB.keySet());
        for (String key : keys) {
            MetricColumn ma = inA.get(key);
            MetricColumn mb = inB.get(key);
            MetricColumn any = ma != null ? ma : mb;
            String label = any.label() + (any.unit().isEmpty() ? "" : " (" + any.unit() + ")");
            rows.add(new String[] {label, ma == null ? "-" : ma.formatted(), mb == null ? "-" : mb.formatted(),
                favours(ma, mb, "A", "B")});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int c = 0; c < 4; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < 4; c++) {
                line.append(c == 0 ? "" : "  ").append(c == 0 ? pad(row[c], widths[c]) : padLeft(row[c], widths[c]));
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }
        return s.toString();
    }

    /** The run the metric favours: by its direction, "=" when equal, "" when it has none or a value is missing. */
    static String favours(MetricColumn a, MetricColumn b, String nameA, String nameB) {
        if (a == null || b == null || !a.present() || !b.present() || a.better().isEmpty()) {
            return "";
        }
        if (Double.compare(a.value(), b.value()) == 0) {
            return "=";
        }
        boolean aHigher = a.value() > b.value();
        return aHigher == "higher".equals(a.better()) ? nameA : nameB;
    }

    private static Map<String, MetricColumn> byKey(QualityReport r) {
        Map<String, MetricColumn> m = new LinkedHashMap<>();
        for (MetricColumn c : r.metrics()) {
            m.put(c.key(), c);
        }
        return m;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }
}
