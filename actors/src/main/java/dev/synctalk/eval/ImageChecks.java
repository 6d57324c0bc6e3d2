package dev.synctalk.eval;

import dev.synctalk.image.FloatImage;

/** The one precondition every image metric shares, with the message that names what differs. */
final class ImageChecks {
    private ImageChecks() {
    }

    static void requireComparable(String metric, FloatImage render, FloatImage truth) {
        if (!render.sameSize(truth) || render.channels() != truth.channels()) {
            throw new IllegalArgumentException(metric + " compares images of one size: the render is " + render.width()
                    + "x" + render.height() + "x" + render.channels() + ", the ground truth " + truth.width() + "x"
                    + truth.height() + "x" + truth.channels());
        }
    }
}
