package dev.synctalk.pose;

/**
 * One tracked head point: its image positions in consecutive frames from {@code firstFrame} on.
 *
 * @param firstFrame sequence position (0 = first frame the tracker saw)
 * @param xy x, y per frame, {@code 2 * length()} values, in the tracker's image coordinates
 */
public record PointTrack(int id, int firstFrame, float[] xy) {
    public PointTrack {
        if (xy.length % 2 != 0 || xy.length == 0) {
            throw new IllegalArgumentException("track " + id + ": need x, y pairs, got " + xy.length + " values");
        }
        xy = xy.clone();
    }

    public int length() {
        return xy.length / 2;
    }

    public int lastFrame() {
        return firstFrame + length() - 1;
    }

    public float x(int frame) {
        return xy[2 * (frame - firstFrame)];
    }

    public float y(int frame) {
        return xy[2 * (frame - firstFrame) + 1];
    }

    @Override
    public float[] xy() {
        return xy.clone();
    }
}
