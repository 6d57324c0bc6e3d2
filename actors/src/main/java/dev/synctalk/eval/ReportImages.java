package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;
import dev.synctalk.output.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The report's pictures: error heat maps, the side-by-side sheet and the per-frame metric plots. */
public final class ReportImages {
    /** Mean absolute error (0-1 scale) shown at full heat: 64 of 255 levels. */
    public static final float HEAT_FULL_SCALE = 0.25f;
    /** Width of a tile in the side-by-side sheet: large frames are shrunk, small ones enlarged to it. */
    private static final int TILE_PX = 256;
    private static final int LABEL_PX = 18;

    /** One curve of a plot; NaN values leave gaps. */
    public record Series(String name, double[] values, Color colour) {
    }

    /** One panel of the plots: a title (with unit) and its curves over frames. */
    public record Panel(String title, List<Series> series) {
    }

    private ReportImages() {
    }

    /**
     * Per pixel the mean absolute error over the channels, as a black-red-yellow-white heat map saturating
     * at {@link #HEAT_FULL_SCALE}.
     */
    public static FloatImage heatMap(FloatImage render, FloatImage truth) {
        ImageChecks.requireComparable("error heat map", render, truth);
        int c = render.channels();
        float[] out = new float[render.pixelCount() * 3];
        for (int p = 0; p < render.pixelCount(); p++) {
            float e = 0;
            for (int k = 0; k < c; k++) {
                e += Math.abs(render.data()[p * c + k] - truth.data()[p * c + k]);
            }
            float t = Math.min(1f, e / c / HEAT_FULL_SCALE);
            out[3 * p] = Math.min(1f, 3 * t);
            out[3 * p + 1] = Math.min(1f, Math.max(0f, 3 * t - 1));
            out[3 * p + 2] = Math.max(0f, 3 * t - 2);
        }
        return new FloatImage(render.width(), render.height(), 3, out);
    }

    /** Tiles in rows (a label on each row) under column titles, each tile 256 px wide, as PNG. */
    public static void writeSheet(Path png, List<String> columnTitles, List<String> rowLabels, List<List<FloatImage>> rows)
            throws IOException {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a sheet needs at least one row");
        }
        FloatImage first = rows.get(0).get(0);
        double scale = (double) TILE_PX / first.width();
        int tw = Math.max(1, (int) Math.round(first.width() * scale));
        int th = Math.max(1, (int) Math.round(first.height() * scale));
        int columns = columnTitles.size();
        BufferedImage sheet = new BufferedImage(columns * tw, LABEL_PX + rows.size() * (th + LABEL_PX),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = whiteCanvas(sheet, 12);
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            for (int c = 0; c < columns; c++) {
                g.drawString(columnTitles.get(c), c * tw + 4, LABEL_PX - 5);
            }
            for (int r = 0; r < rows.size(); r++) {
                int y = LABEL_PX + r * (th + LABEL_PX);
                g.setColor(Color.BLACK);
                g.drawString(rowLabels.get(r), 4, y + LABEL_PX - 5);
                List<FloatImage> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    g.drawImage(toBuffered(row.get(c)), c * tw, y + LABEL_PX, tw, th, null);
                }
            }
        } finally {
            g.dispose();
        }
        write(png, sheet);
    }

    /** Panels stacked vertically, frames on the x axis, each panel with its own y range and a legend. */
    public static void writePlots(Path png, String title, List<Panel> panels, int frames) throws IOException {
        int width = 1000;
        int panelHeight = 200;
        int left = 70;
        int right = 20;
        int top = 30;
        BufferedImage image = new BufferedImage(width, top + panels.size() * panelHeight + 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = whiteCanvas(image, 13);
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.drawString(title, left, 18);
            for (int k = 0; k < panels.size(); k++) {
                drawPanel(g, panels.get(k), frames, left, top + k * panelHeight + 10, width - left - right, panelHeight - 30);
            }
        } finally {
            g.dispose();
        }
        write(png, image);
    }

    /** Graphics on the image, cleared to white, black text of the given size (antialiased); the caller disposes. */
    private static Graphics2D whiteCanvas(BufferedImage image, int fontPx) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontPx));
        g.setColor(Color.BLACK);
        return g;
    }

    private static void drawPanel(Graphics2D g, Panel panel, int frames, int x0, int y0, int w, int h) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : panel.series()) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        g.setColor(new Color(245, 245, 245));
        g.fillRect(x0, y0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x0, y0, w, h);
        g.drawString(panel.title(), x0 + 6, y0 + 14);
        if (lo > hi) {
            g.drawString("no finite values", x0 + 6, y0 + 32);
            return;
        }
        double pad = Math.max(1e-6, 0.08 * (hi - lo));
        lo -= pad;
        hi += pad;
        g.drawString(MetricColumn.format(hi), 4, y0 + 10);
        g.drawString(MetricColumn.format(lo), 4, y0 + h);
        g.drawString("frame " + (frames - 1), x0 + w - 70, y0 + h + 14);
        int legendX = x0 + w - 10;
        for (int i = panel.series().size() - 1; i >= 0; i--) {
            Series s = panel.series().get(i);
            int textWidth = g.getFontMetrics().stringWidth(s.name());
            legendX -= textWidth + 24;
            g.setColor(s.colour());
            g.fillRect(legendX, y0 + 5, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), legendX + 18, y0 + 14);
        }
        g.setStroke(new BasicStroke(1.5f));
        for (Series s : panel.series()) {
            g.setColor(s.colour());
            double[] v = s.values();
            int px = -1;
            int py = -1;
            for (int k = 0; k < v.length; k++) {
                if (!Double.isFinite(v[k])) {
                    px = -1;
                    continue;
                }
                int x = x0 + (frames <= 1 ? w / 2 : (int) Math.round((double) k * w / (frames - 1)));
                int y = y0 + (int) Math.round((hi - v[k]) / (hi - lo) * h);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                } else {
                    g.fillOval(x - 2, y - 2, 4, 4);
                }
                px = x;
                py = y;
            }
        }
    }

    static BufferedImage toBuffered(FloatImage image) {
        FloatImage rgb = image.channels() == 3 ? image : image.rgb();
        BufferedImage out = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_RGB);
        float[] d = rgb.data();
        for (int y = 0; y < rgb.height(); y++) {
            for (int x = 0; x < rgb.width(); x++) {
                int p = 3 * (y * rgb.width() + x);
                out.setRGB(x, y, FloatImage.toByte(d[p]) << 16 | FloatImage.toByte(d[p + 1]) << 8 | FloatImage.toByte(d[p + 2]));
            }
        }
        return out;
    }

    private static void write(Path png, BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        AtomicFiles.write(png, bytes.toByteArray());
    }

    /** "frame 12 (img_id 193)" style labels. */
    static String frameLabel(long frame, int imageId) {
        return String.format(Locale.ROOT, "frame %d (img_id %d)", frame, imageId);
    }
}
