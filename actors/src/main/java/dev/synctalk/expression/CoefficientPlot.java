package dev.synctalk.expression;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG a person can read at a glance: the 7 core coefficients over time, one lane each, so that
 * blinks (spikes in both eyeBlink lanes together) and brow movements can be checked against the video.
 */
final class CoefficientPlot {
    private static final String[] NAMES = {"browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
        "browOuterUpRight", "eyeBlinkLeft", "eyeBlinkRight"};
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0x4f9fd4), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0xf0706f), new Color(0x9467bd), new Color(0xb99ae0)};
    private static final int LANE_HEIGHT = 70;
    private static final int LABEL_WIDTH = 130;
    private static final int MARGIN = 10;

    private CoefficientPlot() {
    }

    /** PNG bytes of the core tracks; {@code core.get(t)} is frame t's 7 values in [0, 1]. */
    static byte[] png(List<float[]> core, String title) throws IOException {
        int frames = core.size();
        int plotWidth = Math.max(400, Math.min(2000, frames * 3));
        int width = LABEL_WIDTH + plotWidth + MARGIN;
        int height = 30 + NAMES.length * LANE_HEIGHT + 20;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.BLACK);
            g.drawString(title + " (" + frames + " frames, each lane 0..1)", MARGIN, 18);
            for (int k = 0; k < NAMES.length; k++) {
                int top = 30 + k * LANE_HEIGHT;
                int bottom = top + LANE_HEIGHT - 8;
                g.setColor(new Color(0xf4f4f4));
                g.fillRect(LABEL_WIDTH, top, plotWidth, bottom - top);
                g.setColor(Color.DARK_GRAY);
                g.drawString(NAMES[k], MARGIN, (top + bottom) / 2 + 4);
                g.setColor(COLORS[k]);
                g.setStroke(new BasicStroke(1.5f));
                int previousX = -1;
                int previousY = -1;
                for (int t = 0; t < frames; t++) {
                    int x = LABEL_WIDTH + (frames == 1 ? 0 : (int) Math.round(t * (plotWidth - 1.0) / (frames - 1)));
                    float v = Math.max(0f, Math.min(1f, core.get(t)[k]));
                    int y = bottom - Math.round(v * (bottom - top));
                    if (previousX >= 0) {
                        g.drawLine(previousX, previousY, x, y);
                    }
                    previousX = x;
                    previousY = y;
                }
            }
            g.setColor(Color.GRAY);
            for (int t = 0; t < frames; t += 25) {
                int x = LABEL_WIDTH + (frames == 1 ? 0 : (int) Math.round(t * (plotWidth - 1.0) / (frames - 1)));
                g.drawLine(x, height - 18, x, height - 14);
                g.drawString(Integer.toString(t), x + 2, height - 4);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
