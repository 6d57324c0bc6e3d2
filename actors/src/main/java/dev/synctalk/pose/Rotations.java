package dev.synctalk.pose;

/** 3x3 rotation matrices as row-major {@code double[9]}, and the few operations the pose code needs. */
final class Rotations {
    private Rotations() {
    }

    static double[] identity() {
        return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
    }

    /** Rodrigues: the rotation by |w| radians about w. */
    static double[] exp(double wx, double wy, double wz) {
        double theta = Math.sqrt(wx * wx + wy * wy + wz * wz);
        double a;
        double b;
        if (theta < 1e-8) {
            a = 1 - theta * theta / 6;
            b = 0.5 - theta * theta / 24;
        } else {
            a = Math.sin(theta) / theta;
            b = (1 - Math.cos(theta)) / (theta * theta);
        }
        return new double[] {
            1 - b * (wy * wy + wz * wz), -a * wz + b * wx * wy, a * wy + b * wx * wz,
            a * wz + b * wx * wy, 1 - b * (wx * wx + wz * wz), -a * wx + b * wy * wz,
            -a * wy + b * wx * wz, a * wx + b * wy * wz, 1 - b * (wx * wx + wy * wy)};
    }

    static double[] multiply(double[] p, double[] q) {
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r[3 * i + j] = p[3 * i] * q[j] + p[3 * i + 1] * q[3 + j] + p[3 * i + 2] * q[6 + j];
            }
        }
        return r;
    }

    static double[] transpose(double[] m) {
        return new double[] {m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]};
    }

    static double[] apply(double[] m, double x, double y, double z) {
        return new double[] {m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z, m[6] * x + m[7] * y + m[8] * z};
    }

    /** Angle of the rotation {@code p q^T} in degrees: how far apart two orientations are. */
    static double angleBetweenDeg(double[] p, double[] q) {
        double trace = 0;
        for (int i = 0; i < 9; i++) {
            trace += p[i] * q[i]; // trace(p q^T) = sum of element-wise products
        }
        double c = Math.max(-1, Math.min(1, (trace - 1) / 2));
        return Math.toDegrees(Math.acos(c));
    }

    /** Makes m exactly orthonormal again (Gram-Schmidt on the rows) after many small updates. */
    static double[] orthonormalize(double[] m) {
        double[] r0 = {m[0], m[1], m[2]};
        normalize(r0);
        double[] r1 = {m[3], m[4], m[5]};
        double d = dot(r0, r1);
        for (int i = 0; i < 3; i++) {
            r1[i] -= d * r0[i];
        }
        normalize(r1);
        double[] r2 = {r0[1] * r1[2] - r0[2] * r1[1], r0[2] * r1[0] - r0[0] * r1[2], r0[0] * r1[1] - r0[1] * r1[0]};
        return new double[] {r0[0], r0[1], r0[2], r1[0], r1[1], r1[2], r2[0], r2[1], r2[2]};
    }

    /**
     * The reference's Euler decomposition (face_tracking util.Rmat2eulurangle, R = Rx Ry Rz with its sign
     * conventions) in degrees: {x, y, z} = {pitch, yaw, roll} of the head in the OpenGL camera frame.
     */
    static double[] eulerDeg(double[] r) {
        double y = Math.asin(Math.max(-1, Math.min(1, -r[6])));
        double x = Math.atan2(r[7], r[8]);
        double z = Math.atan2(r[3], r[0]);
        return new double[] {Math.toDegrees(x), Math.toDegrees(y), Math.toDegrees(z)};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static void normalize(double[] a) {
        double n = Math.sqrt(dot(a, a));
        a[0] /= n;
        a[1] /= n;
        a[2] /= n;
    }
}
