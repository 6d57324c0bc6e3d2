package dev.synctalk.gpu.render;

/**
 * Ray marching through an occupancy grid, torch-ngp's {@code march_rays_train} with one cascade
 * (SyncTalk's head uses bound 1, so torch-ngp's cascade count is 1).
 *
 * <h2>Per ray</h2>
 * <pre>
 *   near, far  = slab intersection of the ray with [-bound, bound]^3; near = max(near, minNear)
 *                (no intersection: no samples)
 *   dt(t)      = min(max(t * dtGamma, dtMin), dtMax),  dtMin = 2 sqrt(3) / maxSteps,
 *                dtMax = 2 sqrt(3) / gridResolution   (torch-ngp's clamp order: dtMax wins)
 *   t          = near + dt(near) * noise              (noise in [0, 1) when perturbing, else 0)
 *   while t &lt; far and samples &lt; maxSteps:
 *       x = clamp(o + t d, -bound, bound); cell = floor((x / bound + 1) / 2 * G) clamped to [0, G-1]
 *       occupied: emit sample (x, d, dt(t), t); t += dt(t)
 *       empty:    tt = t + max(0, distance along the ray to the cell's exit face);
 *                 do t += dt(t) while t &lt; tt            (skip the empty cell in whole steps)
 * </pre>
 * The per-ray noise is a hash of (noise seed, ray index), so results do not depend on how rays are
 * split among threads.
 *
 * <h2>Layouts</h2>
 * origins, directions: [R, 3] (directions unit length); occupancy: [G^3] with cell (x, y, z) at
 * {@code x + G * (y + G * z)}, nonzero = occupied; outputs written from sample {@code offset}:
 * positions and sampleDirections [M, 3], dt and t [M].
 */
public record RayMarcher(float bound, float minNear, float dtGamma, int maxSteps, int gridResolution) {

    private static final float SQRT3 = 1.7320508f;

    /** SyncTalk's head settings: bound 1, min_near 0.05, dt_gamma 1/256, 16 training steps, grid 128. */
    public static RayMarcher syncTalk(int gridResolution) {
        return new RayMarcher(1f, 0.05f, 1f / 256f, 16, gridResolution);
    }

    public RayMarcher {
        if (!(bound > 0) || !(minNear >= 0) || !(dtGamma >= 0) || maxSteps < 1 || gridResolution < 1) {
            throw new IllegalArgumentException("invalid ray marcher: bound=" + bound + " minNear=" + minNear
                    + " dtGamma=" + dtGamma + " maxSteps=" + maxSteps + " grid=" + gridResolution);
        }
    }

    public float dtMin() {
        return 2 * SQRT3 / maxSteps;
    }

    public float dtMax() {
        return 2 * SQRT3 / gridResolution;
    }

    private float stepAt(float t) {
        return Math.min(Math.max(t * dtGamma, dtMin()), dtMax());
    }

    /** A uniform [0, 1) value from (seed, ray): SplitMix64's finaliser over the pair. */
    public static float rayNoise(long seed, int ray) {
        long z = seed + 0x9E3779B97F4A7C15L * (ray + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }

    /**
     * Marches ray {@code r}. With null output arrays only counts; otherwise writes its samples from
     * index {@code offset}. Returns the sample count (at most maxSteps).
     */
    public int march(int r, float[] origins, float[] directions, float[] occupancy, boolean perturb, long noiseSeed,
                     float[] positions, float[] sampleDirections, float[] dt, float[] t, int offset) {
        float ox = origins[3 * r];
        float oy = origins[3 * r + 1];
        float oz = origins[3 * r + 2];
        float dx = directions[3 * r];
        float dy = directions[3 * r + 1];
        float dz = directions[3 * r + 2];
        float near = Float.NEGATIVE_INFINITY;
        float far = Float.POSITIVE_INFINITY;
        float[] o = {ox, oy, oz};
        float[] d = {dx, dy, dz};
        for (int a = 0; a < 3; a++) {
            if (d[a] == 0f) {
                if (o[a] < -bound || o[a] > bound) {
                    return 0;
                }
                continue;
            }
            float inv = 1f / d[a];
            float t0 = (-bound - o[a]) * inv;
            float t1 = (bound - o[a]) * inv;
            near = Math.max(near, Math.min(t0, t1));
            far = Math.min(far, Math.max(t0, t1));
        }
        near = Math.max(near, minNear);
        if (!(near < far)) {
            return 0;
        }
        int g = gridResolution;
        float tt0 = near + (perturb ? stepAt(near) * rayNoise(noiseSeed, r) : 0f);
        float time = tt0;
        int count = 0;
        while (time < far && count < maxSteps) {
            float x = clamp(ox + time * dx);
            float y = clamp(oy + time * dy);
            float z = clamp(oz + time * dz);
            int nx = cell(x);
            int ny = cell(y);
            int nz = cell(z);
            float step = stepAt(time);
            if (occupancy[nx + g * (ny + g * nz)] != 0f) {
                if (positions != null) {
                    int s = offset + count;
                    positions[3 * s] = x;
                    positions[3 * s + 1] = y;
                    positions[3 * s + 2] = z;
                    sampleDirections[3 * s] = dx;
                    sampleDirections[3 * s + 1] = dy;
                    sampleDirections[3 * s + 2] = dz;
                    dt[s] = step;
                    t[s] = time;
                }
                count++;
                time += step;
            } else {
                float exit = Math.min(exitDistance(x, dx, nx), Math.min(exitDistance(y, dy, ny), exitDistance(z, dz, nz)));
                float target = time + Math.max(0f, exit);
                do {
                    time += stepAt(time);
                } while (time < target);
            }
        }
        return count;
    }

    private float clamp(float v) {
        return Math.min(Math.max(v, -bound), bound);
    }

    private int cell(float v) {
        int c = (int) Math.floor((v / bound + 1f) * 0.5f * gridResolution);
        return Math.min(Math.max(c, 0), gridResolution - 1);
    }

    /** Ray distance from coordinate v to the face of cell {@code c} it is heading to. */
    private float exitDistance(float v, float dir, int c) {
        if (dir == 0f) {
            return Float.POSITIVE_INFINITY;
        }
        int face = dir > 0 ? c + 1 : c;
        float faceCoord = ((float) face / gridResolution * 2f - 1f) * bound;
        return (faceCoord - v) / dir;
    }
}
