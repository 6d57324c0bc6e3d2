package dev.synctalk.nerf;

/**
 * Which pixels a training step renders: {@link Kind#RAYS} scattered single pixels; {@link Kind#PATCHES}
 * whole square patches of {@code side}, one after another, each row-major (what LPIPS needs); {@link Kind#LIPS}
 * the one square of {@code side} at (x0, y0) around the frame's lips.
 */
public record StepLayout(Kind kind, int rays, int side, int x0, int y0) {

    public enum Kind { RAYS, PATCHES, LIPS }

    public StepLayout {
        if (rays < 1 || (kind != Kind.RAYS && (side < 1 || rays % (side * side) != 0))) {
            throw new IllegalArgumentException("invalid step layout: " + kind + " with " + rays + " rays of side " + side);
        }
    }

    public static StepLayout rays(int count) {
        return new StepLayout(Kind.RAYS, count, 0, 0, 0);
    }

    /** As many whole patches of {@code side} as fit in {@code rays} (at least one). */
    public static StepLayout patches(int rays, int side) {
        int count = Math.max(1, rays / (side * side));
        return new StepLayout(Kind.PATCHES, count * side * side, side, 0, 0);
    }

    public static StepLayout lips(int[] rectangle) {
        return new StepLayout(Kind.LIPS, rectangle[2] * rectangle[2], rectangle[2], rectangle[0], rectangle[1]);
    }

    /** Whether the rays are whole patches (side &gt; 1). */
    public boolean isPatches() {
        return kind != Kind.RAYS && side > 1;
    }

    public int patchCount() {
        return isPatches() ? rays / (side * side) : 0;
    }
}
