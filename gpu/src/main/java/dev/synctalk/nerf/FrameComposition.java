package dev.synctalk.nerf;

/** What a finished frame shows around the rendered head (the head-render stage's params decide). */
public enum FrameComposition {
    /** The head volume-rendered over the background image (bc.jpg). */
    HEAD_OVER_BACKGROUND,
    /** The head over the rendered torso over the background image (the reference's --torso). */
    HEAD_OVER_TORSO,
    /** The head over the background, pasted into the original frame through the face mask (--portrait). */
    PORTRAIT
}
