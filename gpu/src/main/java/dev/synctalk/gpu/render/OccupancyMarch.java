package dev.synctalk.gpu.render;

/**
 * Occupancy-grid ray marching on the CPU, the twin of occupancy.cu (same exactly rounded float operations in
 * the same order, so live-sample counts and positions agree bit for bit): a pinhole camera at (0, 0, cameraZ)
 * looking down -z, each ray clipped to the cube [-bound, bound]^3, {@code samplesPerRay} candidate samples at
 * the midpoints of equal steps over [near, far], kept when their cell of the res^3 bitfield grid is occupied.
 */
public record OccupancyMarch(int width, int height, float focalPx, float cameraZ, float bound, int resolution,
                             int samplesPerRay) {

    public OccupancyMarch {
        if (width < 1 || height < 1 || resolution < 1 || samplesPerRay < 1 || !(bound > 0) || !(focalPx > 0)) {
            throw new IllegalArgumentException("occupancy march needs a positive image size, resolution, samples per"
                    + " ray, bound and focal length; got " + width + "x" + height + ", res " + resolution + ", "
                    + samplesPerRay + " samples, bound " + bound + ", focal " + focalPx);
        }
    }

    /** A ray through pixel (x, y): unit direction, [near, far] inside the cube, and whether it hits it. */
    public record Ray(float dx, float dy, float dz, float near, float far, boolean hit) {
    }

    public int rays() {
        return width * height;
    }

    public int cells() {
        return resolution * resolution * resolution;
    }

    public int bitfieldWords() {
        return (cells() + 31) / 32;
    }

    public Ray ray(int x, int y) {
        float dx = ((x + 0.5f) - width * 0.5f) / focalPx;
        float dy = -(((y + 0.5f) - height * 0.5f) / focalPx);
        float norm = (float) Math.sqrt((dx * dx + dy * dy) + 1.0f);
        float ux = dx / norm;
        float uy = dy / norm;
        float uz = -1.0f / norm;
        float[] range = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        boolean hit = slab(0f, ux, range) & slab(0f, uy, range) & slab(cameraZ, uz, range);
        float near = Math.max(range[0], 0f);
        return new Ray(ux, uy, uz, near, range[1], hit && range[1] > near);
    }

    private boolean slab(float o, float d, float[] range) {
        if (d == 0f) {
            return o >= -bound && o <= bound;
        }
        float t1 = (-bound - o) / d;
        float t2 = (bound - o) / d;
        range[0] = Math.max(range[0], Math.min(t1, t2));
        range[1] = Math.min(range[1], Math.max(t1, t2));
        return true;
    }

    public float sampleT(Ray r, int i) {
        float step = (r.far() - r.near()) / samplesPerRay;
        return r.near() + (i + 0.5f) * step;
    }

    public int cellOf(float p) {
        int i = (int) Math.floor(((p + bound) / (2f * bound)) * resolution);
        return Math.min(Math.max(i, 0), resolution - 1);
    }

    public boolean occupied(int[] bits, float x, float y, float z) {
        int b = (cellOf(z) * resolution + cellOf(y)) * resolution + cellOf(x);
        return ((bits[b >>> 5] >>> (b & 31)) & 1) != 0;
    }

    /** Live samples per ray (row-major pixel order). */
    public int[] counts(int[] bits) {
        int[] counts = new int[rays()];
        for (int ray = 0; ray < counts.length; ray++) {
            Ray r = ray(ray % width, ray / width);
            if (!r.hit()) {
                continue;
            }
            for (int i = 0; i < samplesPerRay; i++) {
                float t = sampleT(r, i);
                counts[ray] += occupied(bits, t * r.dx(), t * r.dy(), cameraZ + t * r.dz()) ? 1 : 0;
            }
        }
        return counts;
    }

    /** {offset, count} per ray from the counts (exclusive prefix sum), as volume rendering reads them. */
    public static int[] rayRanges(int[] counts) {
        int[] ranges = new int[2 * counts.length];
        int running = 0;
        for (int i = 0; i < counts.length; i++) {
            ranges[2 * i] = running;
            ranges[2 * i + 1] = counts[i];
            running += counts[i];
        }
        return ranges;
    }

    /** The live samples packed in ray order: points [M][3], dirs [M][3], dt [M], t [M]. */
    public LiveSamples samples(int[] bits) {
        int[] counts = counts(bits);
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        float[] points = new float[3 * total];
        float[] dirs = new float[3 * total];
        float[] dt = new float[total];
        float[] t = new float[total];
        int k = 0;
        for (int ray = 0; ray < counts.length; ray++) {
            if (counts[ray] == 0) {
                continue;
            }
            Ray r = ray(ray % width, ray / width);
            float step = (r.far() - r.near()) / samplesPerRay;
            for (int i = 0; i < samplesPerRay; i++) {
                float ti = sampleT(r, i);
                float px = ti * r.dx(), py = ti * r.dy(), pz = cameraZ + ti * r.dz();
                if (occupied(bits, px, py, pz)) {
                    points[3 * k] = px;
                    points[3 * k + 1] = py;
                    points[3 * k + 2] = pz;
                    dirs[3 * k] = r.dx();
                    dirs[3 * k + 1] = r.dy();
                    dirs[3 * k + 2] = r.dz();
                    dt[k] = step;
                    t[k] = ti;
                    k++;
                }
            }
        }
        return new LiveSamples(counts, points, dirs, dt, t);
    }

    /** The packed live samples and the per-ray counts they came from. */
    public record LiveSamples(int[] counts, float[] points, float[] dirs, float[] dt, float[] t) {
    }

    /** Bitfield with bit b set where {@code density[b] > threshold} (occupancy_build). */
    public static int[] buildBits(float[] density, float threshold) {
        int[] bits = new int[(density.length + 31) / 32];
        for (int c = 0; c < density.length; c++) {
            if (density[c] > threshold) {
                bits[c >>> 5] |= 1 << (c & 31);
            }
        }
        return bits;
    }
}
