package dev.synctalk.training;

/** Model sizes: the reference's ({@link dev.synctalk.nerf.HeadModelConfig#syncTalk}) or a tiny one for tests. */
public enum ModelPreset {
    SYNC_TALK, TINY
}
