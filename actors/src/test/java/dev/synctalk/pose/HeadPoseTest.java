package dev.synctalk.pose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HeadPoseTest {
    private static final double[] FACING = {1, 0, 0, 0, -1, 0, 0, 0, -1};

    @Test
    void transformMatrixFollowsTheDatasetConvention() {
        PinholeCamera camera = PinholeCamera.centred(1200, 512, 512);

        // A head facing the camera 0.7 m away: the reference's tracker would have euler 0 and trans (0, 0, -0.7),
        // and save_transforms writes the camera at +0.7 on the head's z axis with identity rotation.
        HeadPose frontal = HeadPose.of(0, new RigidPose(FACING, new double[] {0, 0, 0.7}), camera);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, frontal.rotation(), 0f);
        assertArrayEquals(new float[] {0, 0, -0.7f}, frontal.translation(), 1e-7f);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0.7, 0, 0, 0, 1}, frontal.toTransformMatrix(), 1e-6);

        // Any pose: a NeRF ray through the pixel where OpenCV projects a head point passes through that point.
        RigidPose pose = new RigidPose(Rotations.multiply(FACING, Rotations.exp(0.2, -0.4, 0.1)),
                new double[] {0.03, -0.05, 0.65});
        HeadPose head = HeadPose.of(3, pose, camera);
        double[] c2w = head.toTransformMatrix();
        double[] point = {0.02, 0.04, 0.07};
        double[] cv = pose.toCamera(point[0], point[1], point[2]);
        double u = camera.focalPx() * cv[0] / cv[2] + camera.cx();
        double v = camera.focalPx() * cv[1] / cv[2] + camera.cy();
        // NeRF/OpenGL ray direction in camera axes for pixel (u, v), rotated to world by the c2w matrix.
        double[] dirCam = {(u - camera.cx()) / camera.focalPx(), -(v - camera.cy()) / camera.focalPx(), -1};
        double[] dir = new double[3];
        double[] origin = new double[3];
        for (int i = 0; i < 3; i++) {
            dir[i] = c2w[4 * i] * dirCam[0] + c2w[4 * i + 1] * dirCam[1] + c2w[4 * i + 2] * dirCam[2];
            origin[i] = c2w[4 * i + 3];
        }
        double s = (point[2] - origin[2]) / dir[2];
        for (int i = 0; i < 3; i++) {
            assertEquals(point[i], origin[i] + s * dir[i], 1e-6, "axis " + i);
        }
        assertEquals(0.65, Math.sqrt(origin[0] * origin[0] + origin[1] * origin[1] + origin[2] * origin[2]), 0.1,
                "camera about as far from the head as the head from the camera");
        // The reference tracker's own projection of the point, u = cx - f X / Z, v = cy + f Y / Z.
        float[] r = head.rotation();
        float[] t = head.translation();
        double[] gl = new double[3];
        for (int i = 0; i < 3; i++) {
            gl[i] = r[3 * i] * point[0] + r[3 * i + 1] * point[1] + r[3 * i + 2] * point[2] + t[i];
        }
        assertEquals(u, camera.cx() - camera.focalPx() * gl[0] / gl[2], 1e-3);
        assertEquals(v, camera.cy() + camera.focalPx() * gl[1] / gl[2], 1e-3);
    }

    @Test
    void codecRoundTripsAndRejectsTruncatedRecords() {
        HeadPose pose = HeadPose.of(42, new RigidPose(Rotations.exp(0.1, 0.2, 0.3), new double[] {0.1, 0.2, 0.6}),
                PinholeCamera.centred(900, 512, 480));
        HeadPoseCodec codec = new HeadPoseCodec();
        byte[] bytes = codec.encode(pose);
        assertEquals(pose, codec.decode(bytes));
        assertEquals(240f, codec.decode(bytes).cy());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decode(truncated));
        assertEquals(true, e.getMessage().contains("head-pose"), e.getMessage());
    }
}
