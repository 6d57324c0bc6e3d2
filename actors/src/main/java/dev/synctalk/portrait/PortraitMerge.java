package dev.synctalk.portrait;

import dev.synctalk.image.FloatImage;

/**
 * Portrait-Sync Generator: pastes the rendered face into the source frame through the soft face mask,
 * {@code out = render * m + original * (1 - m)}, so hair, background and body keep the source's detail.
 */
public final class PortraitMerge {
    private PortraitMerge() {
    }

    public static FloatImage merge(FloatImage rendered, FloatImage original, FaceMask mask) {
        if (!rendered.sameSize(original) || rendered.width() != mask.width() || rendered.height() != mask.height()) {
            throw new IllegalArgumentException("portrait merge needs equal sizes: render " + rendered.width() + "x"
                    + rendered.height() + ", original " + original.width() + "x" + original.height() + ", mask "
                    + mask.width() + "x" + mask.height());
        }
        if (rendered.channels() != 3 || original.channels() != 3) {
            throw new IllegalArgumentException("portrait merge works on RGB images, got " + rendered.channels() + " and "
                    + original.channels() + " channels");
        }
        float[] r = rendered.data();
        float[] o = original.data();
        float[] out = new float[r.length];
        float[] m = mask.weights();
        for (int p = 0; p < m.length; p++) {
            float w = m[p];
            for (int c = 0; c < 3; c++) {
                int i = p * 3 + c;
                // At w = 0 this is exactly o: r * 0 + o * 1.
                out[i] = r[i] * w + o[i] * (1f - w);
            }
        }
        return new FloatImage(rendered.width(), rendered.height(), 3, out);
    }
}
