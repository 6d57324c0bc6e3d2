package dev.synctalk.parsing;

import java.util.ArrayList;
import java.util.List;

/**
 * A PNG a person can look at to judge parsing: one row per frame with the frame and its face oval, the
 * parsing colours blended over the frame, the torso image over a checkerboard, and the ground-truth image.
 */
public final class ParsingContactSheet {
    private static final int GAP = 4;

    /** One row's images, all at the frame's size. */
    public record Row(RgbImage frame, FaceOutline face, RegionMap regions, byte[] torsoRgba, RgbImage groundTruth) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final int tileWidth;

    /** @param tileWidth width of each tile in the sheet, pixels (tiles keep the frames' aspect ratio) */
    public ParsingContactSheet(int tileWidth) {
        this.tileWidth = tileWidth;
    }

    public void add(Row row) {
        rows.add(row);
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public byte[] png() {
        if (rows.isEmpty()) {
            throw new IllegalStateException("contact sheet has no rows");
        }
        RgbImage first = rows.get(0).frame();
        int tileHeight = (int) Math.round((double) tileWidth * first.height() / first.width());
        int sheetWidth = 4 * tileWidth + 5 * GAP;
        int sheetHeight = rows.size() * tileHeight + (rows.size() + 1) * GAP;
        byte[] sheet = new byte[sheetWidth * sheetHeight * 3];
        java.util.Arrays.fill(sheet, (byte) 40);
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            RgbImage[] tiles = {withOutline(row.frame(), row.face()), overlay(row.frame(), row.regions()),
                onCheckerboard(row.torsoRgba(), row.frame().width(), row.frame().height()), row.groundTruth()};
            for (int t = 0; t < tiles.length; t++) {
                RgbImage tile = Pixels.resize(tiles[t], tileWidth, tileHeight);
                int ox = GAP + t * (tileWidth + GAP);
                int oy = GAP + r * (tileHeight + GAP);
                for (int y = 0; y < tileHeight; y++) {
                    System.arraycopy(tile.rgb(), y * tileWidth * 3, sheet, ((oy + y) * sheetWidth + ox) * 3, tileWidth * 3);
                }
            }
        }
        return Pixels.encode(sheet, sheetWidth, sheetHeight, 3, "png", new int[0]);
    }

    private static RgbImage withOutline(RgbImage frame, FaceOutline face) {
        byte[] rgb = frame.rgb().clone();
        int w = frame.width();
        int h = frame.height();
        for (int k = 0; k < face.size(); k++) {
            int next = (k + 1) % face.size();
            int steps = (int) Math.ceil(Math.hypot(face.x(next) - face.x(k), face.y(next) - face.y(k))) + 1;
            for (int s = 0; s <= steps; s++) {
                double t = (double) s / steps;
                int x = (int) Math.round(face.x(k) + t * (face.x(next) - face.x(k)));
                int y = (int) Math.round(face.y(k) + t * (face.y(next) - face.y(k)));
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                            int p = yy * w + xx;
                            rgb[3 * p] = (byte) 255;
                            rgb[3 * p + 1] = (byte) 255;
                            rgb[3 * p + 2] = 0;
                        }
                    }
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    static RgbImage overlay(RgbImage frame, RegionMap regions) {
        byte[] rgb = frame.rgb().clone();
        for (int p = 0; p < regions.labels().length; p++) {
            Region r = Region.ofLabel(regions.labels()[p]);
            if (r == Region.BACKGROUND) {
                for (int c = 0; c < 3; c++) {
                    rgb[3 * p + c] = (byte) ((rgb[3 * p + c] & 0xff) / 4);
                }
                continue;
            }
            int[] colour = {r.red(), r.green(), r.blue()};
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = (byte) (((rgb[3 * p + c] & 0xff) + colour[c]) / 2);
            }
        }
        return new RgbImage(frame.width(), frame.height(), rgb);
    }

    private static RgbImage onCheckerboard(byte[] rgba, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                int check = ((x / 16 + y / 16) & 1) == 0 ? 200 : 140;
                double a = (rgba[4 * p + 3] & 0xff) / 255.0;
                for (int c = 0; c < 3; c++) {
                    rgb[3 * p + c] = (byte) Math.round((rgba[4 * p + c] & 0xff) * a + check * (1 - a));
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
