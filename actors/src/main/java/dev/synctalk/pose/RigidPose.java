package dev.synctalk.pose;

/**
 * Head pose in OpenCV's camera convention (x right, y down, z forward into the scene), the convention
 * the fitting and bundle adjustment work in: a head-model point X (metres) lands at {@code R X + t} in
 * camera coordinates. {@link HeadPose} converts to the dataset's OpenGL convention.
 *
 * @param rotation row-major 3x3
 * @param translation metres
 */
public record RigidPose(double[] rotation, double[] translation) {
    public RigidPose {
        if (rotation.length != 9 || translation.length != 3) {
            throw new IllegalArgumentException("rotation needs 9 values and translation 3, got " + rotation.length
                    + " and " + translation.length);
        }
        rotation = rotation.clone();
        translation = translation.clone();
    }

    @Override
    public double[] rotation() {
        return rotation.clone();
    }

    @Override
    public double[] translation() {
        return translation.clone();
    }

    /** Camera coordinates of model point (x, y, z). */
    public double[] toCamera(double x, double y, double z) {
        double[] p = Rotations.apply(rotation, x, y, z);
        p[0] += translation[0];
        p[1] += translation[1];
        p[2] += translation[2];
        return p;
    }

    /** The same pose with the camera frame flipped to OpenGL's (x right, y up, z backwards). */
    public RigidPose toOpenGl() {
        double[] r = rotation.clone();
        for (int j = 3; j < 9; j++) {
            r[j] = -r[j];
        }
        return new RigidPose(r, new double[] {translation[0], -translation[1], -translation[2]});
    }
}
