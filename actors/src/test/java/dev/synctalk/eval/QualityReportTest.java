package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.json round trip (infinite and absent values), report.md's one table, and the head region. */
class QualityReportTest {
    @TempDir
    Path dir;

    static QualityReport sample() {
        return new QualityReport("reconstruction", Map.of("dataset", "/data/x \"quoted\""), List.of(
                MetricColumn.of("psnrFace", "PSNR | face", "dB", "higher", Double.POSITIVE_INFINITY, "exact"),
                MetricColumn.of("ssimHead", "SSIM", "", "higher", 0.98765, ""),
                MetricColumn.absent("lpipsHead", "LPIPS", "", "lower", "weights not found at /x")));
    }

    @Test
    void reportJsonReadsBackWithInfiniteAndAbsentValues() throws IOException {
        QualityReport report = sample();
        report.write(dir);
        QualityReport read = QualityReport.read(dir.resolve(QualityReport.JSON_FILE));
        assertEquals(report, read);
        assertEquals(Double.POSITIVE_INFINITY, read.metric("psnrFace").value());
        assertEquals("weights not found at /x", read.metric("lpipsHead").absent());
    }

    @Test
    void reportMarkdownIsOneTableWithTheAbsentReasons() throws IOException {
        sample().write(dir);
        List<String> lines = Files.readAllLines(dir.resolve(QualityReport.MARKDOWN_FILE));
        List<String> table = lines.stream().filter(l -> l.startsWith("|")).toList();
        assertEquals(2 + 3, table.size(), lines.toString());
        assertTrue(table.get(2).contains("| inf | dB |"), table.get(2));
        assertTrue(table.get(4).contains("absent: weights not found at /x"), table.get(4));
    }

    @Test
    void aMetricHasAValueOrAReasonNeverBoth() {
        assertThrows(IllegalArgumentException.class, () -> new MetricColumn("k", "l", "", "", 1.0, "why", ""));
        assertThrows(IllegalArgumentException.class, () -> new MetricColumn("k", "l", "", "", Double.NaN, null, ""));
    }

    @Test
    void readingSomethingElseNamesTheFile() throws IOException {
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"format\": \"x\"}");
        IOException e = assertThrows(IOException.class, () -> QualityReport.read(other));
        assertTrue(e.getMessage().contains(other.toString()), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> QualityReport.read(dir.resolve("none.json")));
    }

    @Test
    void headRegionIsTheBoundingBoxOfTheMask() {
        boolean[] mask = new boolean[6 * 4];
        mask[1 * 6 + 2] = true;
        mask[2 * 6 + 4] = true;
        HeadRegion region = HeadRegion.of(mask, 6, 4).orElseThrow();
        assertEquals(new HeadRegion(2, 1, 3, 2), region);
        FloatImage image = ImageMetricsTest.pattern(6, 4);
        FloatImage crop = region.crop(image);
        assertEquals(image.get(4, 2, 1), crop.get(2, 1, 1));
        assertEquals(Optional.empty(), HeadRegion.of(new boolean[24], 6, 4));
    }
}
