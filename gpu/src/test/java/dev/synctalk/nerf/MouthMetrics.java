package dev.synctalk.nerf;

import java.util.List;

/** Statistics the fixture tests use. */
final class MouthMetrics {
    private MouthMetrics() {
    }

    static double pearson(List<Double> a, List<Double> b) {
        int n = a.size();
        double ma = a.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double mb = b.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double da = a.get(i) - ma;
            double db = b.get(i) - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
