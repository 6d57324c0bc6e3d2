package dev.synctalk.parsing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a {@link FrameParsing} back: its kept frame, and its regions from its parsing image or, on the
 * classical path, from GrabCut against the background. Shared by the background stage (contact sheet) and the
 * torso-images stage, so both see the same regions.
 */
final class ParsedFrameImages {
    private final PersonSegmenter classical = new PersonSegmenter(PersonSegmenter.Settings.defaults());
    private final RegionSplitter splitter = new RegionSplitter(RegionSplitter.Settings.defaults());

    /** The kept frame; a missing file is named (it is deleted once the frame's images are written). */
    RgbImage frame(FrameParsing p) throws IOException {
        RgbImage image = read(p.frameFile(), "kept frame " + p.frameIndex());
        requireSize(image, p, p.frameFile());
        return image;
    }

    RegionMap regions(FrameParsing p, RgbImage frame, RgbImage background) throws IOException {
        if (p.parsingFile() != null) {
            RgbImage colours = read(p.parsingFile(), "parsing image of frame " + p.frameIndex());
            requireSize(colours, p, p.parsingFile());
            return RegionMap.fromColourImage(colours);
        }
        return splitter.split(classical.segment(frame, background, p.face()), frame, p.face());
    }

    static RgbImage read(Path file, String what) throws IOException {
        try {
            return Pixels.decodeRgb(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(what + " is gone: " + file + " (frames are kept only until their torso and"
                    + " gt images are written, within one run; an edge carrying them must not be journaled)", e);
        }
    }

    private static void requireSize(RgbImage image, FrameParsing p, Path file) {
        if (image.width() != p.width() || image.height() != p.height()) {
            throw new IllegalStateException(file + " is " + image.width() + "x" + image.height() + ", frame "
                    + p.frameIndex() + " is " + p.width() + "x" + p.height());
        }
    }
}
