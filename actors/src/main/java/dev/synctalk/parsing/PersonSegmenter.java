package dev.synctalk.parsing;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * Separates the person from the background in one frame, classically: a colour-difference mask against the
 * static background, refined with OpenCV GrabCut seeded from the face landmarks.
 *
 * <p>GrabCut seeds: the face oval is definite foreground; pixels that differ from the background are probable
 * foreground; without a background yet (the first estimate, or a person who never moves so that the plain
 * temporal median shows the person) a person-layout prior scaled from the face (hair around the face, a neck
 * and shoulders widening below the chin) stands in for the difference; pixels farther than a margin from all
 * of that are definite background; everything else is probable background. After GrabCut only the parts
 * connected to the face are kept and small holes are filled.
 *
 * <p>It runs at a working resolution (long side at most {@link Settings#workSize()}, as the reference parses
 * at 512 x 512) and scales the mask back up with linear interpolation and a 0.5 threshold.
 */
public final class PersonSegmenter {

    /**
     * @param workSize           longest side of the image GrabCut sees, pixels
     * @param differenceThreshold RGB Euclidean distance to the background above which a pixel differs (0..441)
     * @param grabCutIterations  GrabCut iterations per frame
     * @param maxHoleFraction    holes inside the person smaller than this fraction of the image are filled
     */
    public record Settings(int workSize, double differenceThreshold, int grabCutIterations, double maxHoleFraction) {
        public Settings {
            if (workSize < 32) {
                throw new IllegalArgumentException("work size must be at least 32 pixels, got " + workSize);
            }
            if (grabCutIterations < 1) {
                throw new IllegalArgumentException("grabcut iterations must be at least 1, got " + grabCutIterations);
            }
        }

        public static Settings defaults() {
            return new Settings(512, 30, 3, 0.005);
        }
    }

    private final Settings settings;

    public PersonSegmenter(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The person mask of {@code frame} (1 = person) at the frame's resolution.
     *
     * @param background the static background at the frame's size, or null when none is known yet
     */
    public byte[] segment(RgbImage frame, RgbImage background, FaceOutline outline) {
        int width = frame.width();
        int height = frame.height();
        if (background != null && (background.width() != width || background.height() != height)) {
            throw new IllegalArgumentException("background is " + background.width() + "x" + background.height()
                    + " but the frame is " + width + "x" + height);
        }
        double scale = Math.min(1.0, (double) settings.workSize() / Math.max(width, height));
        int w = Math.max(1, (int) Math.round(width * scale));
        int h = Math.max(1, (int) Math.round(height * scale));
        RgbImage small = Pixels.resize(frame, w, h);
        RgbImage smallBackground = background == null ? null : Pixels.resize(background, w, h);
        FaceOutline face = outline.scaled((double) w / width, (double) h / height);

        byte[] person = segmentAtWorkSize(small, smallBackground, face);
        return Pixels.resizeMask(person, w, h, width, height);
    }

    private byte[] segmentAtWorkSize(RgbImage image, RgbImage background, FaceOutline face) {
        int w = image.width();
        int h = image.height();
        double faceWidth = Math.max(face.width(), 4);
        byte[] faceMask = face.rasterise(w, h);
        byte[] faceCore = Pixels.morphology(faceMask, w, h, opencv_imgproc.MORPH_ERODE, odd(faceWidth * 0.06));
        byte[] layout = layoutPrior(face, w, h);
        byte[] probable = background == null ? layout : differenceMask(image, background, faceWidth);

        byte[] hint = new byte[w * h];
        for (int p = 0; p < hint.length; p++) {
            hint[p] = (byte) (probable[p] | layout[p] | faceMask[p]);
        }
        float[] distanceToHint = Pixels.distanceToMask(hint, w, h);
        double margin = 0.25 * faceWidth;

        byte[] seeds = new byte[w * h];
        int foregroundSamples = 0;
        int backgroundSamples = 0;
        for (int p = 0; p < seeds.length; p++) {
            if (faceCore[p] != 0) {
                seeds[p] = opencv_imgproc.GC_FGD;
            } else if (distanceToHint[p] > margin) {
                seeds[p] = opencv_imgproc.GC_BGD;
            } else if (probable[p] != 0) {
                seeds[p] = opencv_imgproc.GC_PR_FGD;
            } else {
                seeds[p] = opencv_imgproc.GC_PR_BGD;
            }
            boolean fg = seeds[p] == opencv_imgproc.GC_FGD || seeds[p] == opencv_imgproc.GC_PR_FGD;
            foregroundSamples += fg ? 1 : 0;
            backgroundSamples += fg ? 0 : 1;
        }

        byte[] person;
        // GrabCut fits 5-component colour models to each side: with too few samples on one side there is
        // nothing to separate, and the seeds themselves are the best answer.
        if (foregroundSamples < 50 || backgroundSamples < 50) {
            person = new byte[w * h];
            for (int p = 0; p < person.length; p++) {
                person[p] = (byte) (probable[p] | faceMask[p]);
            }
        } else {
            person = grabCut(image, seeds);
        }
        for (int p = 0; p < person.length; p++) {
            person[p] |= faceMask[p];
        }
        person = Pixels.morphology(person, w, h, opencv_imgproc.MORPH_CLOSE, odd(faceWidth * 0.05));
        person = Pixels.keepConnectedTo(person, faceCore, w, h);
        return Pixels.fillSmallHoles(person, w, h, settings.maxHoleFraction());
    }

    private byte[] grabCut(RgbImage image, byte[] seeds) {
        int w = image.width();
        int h = image.height();
        try (Mat img = Pixels.mat(image.rgb(), w, h, 3); Mat mask = Pixels.mat(seeds, w, h, 1);
                Mat bgdModel = new Mat(); Mat fgdModel = new Mat(); Rect unused = new Rect()) {
            opencv_imgproc.grabCut(img, mask, unused, bgdModel, fgdModel, settings.grabCutIterations(),
                    opencv_imgproc.GC_INIT_WITH_MASK);
            byte[] labels = Pixels.bytes(mask);
            byte[] person = new byte[labels.length];
            for (int p = 0; p < labels.length; p++) {
                person[p] = (byte) (labels[p] == opencv_imgproc.GC_FGD || labels[p] == opencv_imgproc.GC_PR_FGD ? 1 : 0);
            }
            return person;
        }
    }

    /** Pixels whose colour differs from the background, with speckles opened away and small gaps closed. */
    byte[] differenceMask(RgbImage image, RgbImage background, double faceWidth) {
        int w = image.width();
        int h = image.height();
        double threshold2 = settings.differenceThreshold() * settings.differenceThreshold();
        byte[] differs = new byte[w * h];
        for (int p = 0; p < differs.length; p++) {
            double d2 = 0;
            for (int c = 0; c < 3; c++) {
                double d = image.channel(p, c) - background.channel(p, c);
                d2 += d * d;
            }
            differs[p] = (byte) (d2 > threshold2 ? 1 : 0);
        }
        byte[] opened = Pixels.morphology(differs, w, h, opencv_imgproc.MORPH_OPEN, 3);
        return Pixels.morphology(opened, w, h, opencv_imgproc.MORPH_CLOSE, odd(faceWidth * 0.08));
    }

    /**
     * Where a person facing the camera usually is, scaled from the face: an ellipse around the face for hair,
     * and below the chin a neck that widens into shoulders and a body. Only a prior for GrabCut's seeds.
     */
    static byte[] layoutPrior(FaceOutline face, int w, int h) {
        double fw = Math.max(face.width(), 4);
        double fh = Math.max(face.height(), 4);
        double cx = face.centreX();
        double headCy = face.minY() + 0.45 * fh;
        double rx = 0.85 * fw;
        double ry = 0.8 * fh;
        double chinX = face.chinX();
        double chinY = face.chinY();
        byte[] prior = new byte[w * h];
        for (int y = 0; y < h; y++) {
            double t = (y - chinY) / fh;
            double halfWidth = t < -0.1 ? -1 : bodyHalfWidth(t) * fw;
            for (int x = 0; x < w; x++) {
                double ex = (x - cx) / rx;
                double ey = (y - headCy) / ry;
                boolean head = ex * ex + ey * ey <= 1;
                boolean body = halfWidth >= 0 && Math.abs(x - chinX) <= halfWidth;
                prior[y * w + x] = (byte) (head || body ? 1 : 0);
            }
        }
        return prior;
    }

    /** Half width of the body prior in face widths at {@code t} face heights below the chin. */
    private static double bodyHalfWidth(double t) {
        if (t <= 0.35) {
            return 0.4;
        } else if (t <= 0.9) {
            return 0.4 + (t - 0.35) / 0.55 * 1.2;
        }
        return Math.min(1.9, 1.6 + (t - 0.9) / 0.7 * 0.3);
    }

    private static int odd(double size) {
        int s = Math.max(1, (int) Math.round(size));
        return s % 2 == 0 ? s + 1 : s;
    }
}
