package dev.synctalk.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.synctalk.video.VideoFrame;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactSheetTest {

    private static VideoFrame solid(long index, int width, int height, int red, int green, int blue) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) red;
            rgb[i + 1] = (byte) green;
            rgb[i + 2] = (byte) blue;
        }
        return new VideoFrame(index, index * 40_000, width, height, rgb);
    }

    @Test
    void spacedIndicesCoverTheVideoEvenly() {
        assertArrayEquals(new long[] {0, 66, 133, 199}, ContactSheet.spacedFrameIndices(200, 4));
        assertArrayEquals(new long[] {0, 1, 2}, ContactSheet.spacedFrameIndices(3, 16));
        assertArrayEquals(new long[0], ContactSheet.spacedFrameIndices(0, 16));
    }

    @Test
    void tilesAreLaidOutRowByRowWithOverlaysInTileCoordinates(@TempDir Path dir) throws Exception {
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        int[][] colours = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
        for (int i = 0; i < colours.length; i++) {
            tiles.add(new ContactSheet.Tile(solid(i, 200, 100, colours[i][0], colours[i][1], colours[i][2]), null,
                    List.of((tile, transform) -> {
                        // a white dot at frame pixel (150, 60): tile pixel (75, 30) at half scale
                        assertEquals(0.5, transform.scale(), 1e-9);
                        opencv_imgproc.circle(tile, transform.map(150, 60), 2, new Scalar(255, 255, 255, 0), -1,
                                opencv_imgproc.LINE_8, 0);
                    })));
        }
        Path png = dir.resolve("sheet.png");
        ContactSheet.write(png, tiles, 2, 100);
        try (Mat sheet = opencv_imgcodecs.imread(png.toString()); UByteIndexer px = sheet.createIndexer()) {
            assertEquals(200, sheet.cols(), "2 columns of 100 px");
            assertEquals(100, sheet.rows(), "2 rows of 50 px");
            // BGR order in the decoded PNG; sample below the caption
            assertEquals(255, px.get(45, 10, 2), "tile 0 is red");
            assertEquals(255, px.get(45, 110, 1), "tile 1 is green");
            assertEquals(255, px.get(95, 10, 0), "tile 2 (second row) is blue");
            assertEquals(32, px.get(95, 150, 0), "the empty fourth cell shows the background");
            for (int c = 0; c < 3; c++) {
                assertEquals(255, px.get(30, 75, c), "overlay dot in tile 0, channel " + c);
                assertEquals(255, px.get(80, 75, c), "overlay dot in tile 2, channel " + c);
            }
        }
    }

    @Test
    void emptySheetIsRefusedNamingTheFile(@TempDir Path dir) {
        Path png = dir.resolve("empty.png");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContactSheet.write(png, List.of(), 4, 128));
        assertEquals("contact sheet " + png + ": no tiles to draw", e.getMessage());
    }
}
