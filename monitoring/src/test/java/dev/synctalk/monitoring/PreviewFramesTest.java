package dev.synctalk.monitoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PreviewFramesTest {

    @Test
    void latestFramePerNameIsKept() {
        PreviewFrames previews = new PreviewFrames();
        byte[] first = tinyPng();
        byte[] second = tinyPng(0x00ff00);
        previews.put("val-0", first);
        previews.put("val-0", second);
        previews.put("train", first);
        assertArrayEquals(second, previews.get("val-0").orElseThrow());
        assertEquals(Set.of("train", "val-0"), previews.names());
        assertTrue(previews.get("missing").isEmpty());
    }

    @Test
    void bytesThatAreNotPngOrUnsafeNamesAreRejected() {
        PreviewFrames previews = new PreviewFrames();
        IllegalArgumentException notPng = assertThrows(IllegalArgumentException.class,
                () -> previews.put("val", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, 0, 0, 0, 0}));
        assertTrue(notPng.getMessage().contains("'val'"), notPng.getMessage());
        assertThrows(IllegalArgumentException.class, () -> previews.put("../etc", tinyPng()));
        assertThrows(IllegalArgumentException.class, () -> previews.put("a b", tinyPng()));
    }

    static byte[] tinyPng() {
        return tinyPng(0xff0000);
    }

    static byte[] tinyPng(int rgb) {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
