package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportComparisonTest {
    static QualityReport report(double psnr, double lmd, String lpipsAbsent) {
        return new QualityReport("reconstruction", Map.of("frames", "19"), List.of(
                MetricColumn.of("psnrFace", "PSNR face", "dB", "higher", psnr, ""),
                MetricColumn.of("lmdMouth", "LMD mouth", "px", "lower", lmd, ""),
                lpipsAbsent == null ? MetricColumn.of("lpipsHead", "LPIPS", "", "lower", 0.05, "")
                        : MetricColumn.absent("lpipsHead", "LPIPS", "", "lower", lpipsAbsent),
                MetricColumn.of("avOffsetRender", "AV offset", "frames", "", 2, "")));
    }

    @Test
    void eachMetricShowsBothValuesAndTheRunItFavours() {
        String table = ReportComparison.format("cpu", report(21.5, 3.2, null), "gpu", report(30.25, 3.2, "no weights"));
        List<String> lines = table.lines().toList();
        String psnr = lines.stream().filter(l -> l.startsWith("PSNR face (dB)")).findFirst().orElseThrow();
        assertTrue(psnr.matches(".*21\\.50\\s+30\\.25\\s+B$"), psnr);
        assertTrue(lines.get(0).equals("A: cpu") && lines.get(1).equals("B: gpu"), table);
        String lmd = lines.stream().filter(l -> l.startsWith("LMD mouth (px)")).findFirst().orElseThrow();
        assertTrue(lmd.endsWith("="), lmd);
        String lpips = lines.stream().filter(l -> l.startsWith("LPIPS")).findFirst().orElseThrow();
        assertTrue(lpips.matches(".*0\\.05000\\s+absent$"), lpips);
        String offset = lines.stream().filter(l -> l.startsWith("AV offset")).findFirst().orElseThrow();
        assertTrue(offset.matches(".*2\\s+2$"), "an offset favours no run: " + offset);
    }

    @Test
    void lowerIsBetterFavoursTheSmallerValue() {
        MetricColumn a = MetricColumn.of("lmd", "LMD", "px", "lower", 2.0, "");
        MetricColumn b = MetricColumn.of("lmd", "LMD", "px", "lower", 3.0, "");
        assertEquals("A", ReportComparison.favours(a, b, "A", "B"));
        assertEquals("B", ReportComparison.favours(b, a, "A", "B"));
        assertEquals("", ReportComparison.favours(a, null, "A", "B"));
    }
}
