package dev.synctalk.sync;

import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.facesync.FaceSyncSizes;
import dev.synctalk.facesync.SyncClip;
import dev.synctalk.facesync.SyncExpert;
import dev.synctalk.facesync.SyncScoring;

import java.util.Locale;

/** The per-clip entries of the Face-Sync training reports, as JSON objects (one line each). */
final class SyncReports {
    private SyncReports() {
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "null";
    }

    /** The expert on a clip's held-out frames, logged and as a JSON object. */
    static String heldOut(SyncExpert expert, SyncClip clip, int maxOffset, StageContext context, String name) {
        int heldOut = clip.frames() - clip.trainFrames();
        String head = "{\"clip\": " + quote(clip.name()) + ", \"frames\": " + clip.frames() + ", \"held_out_frames\": "
                + heldOut;
        if (heldOut < FaceSyncSizes.WINDOW_FRAMES) {
            context.log().warn("{}: {} has {} held-out frames, fewer than one window: not evaluated", name, clip.name(),
                    heldOut);
            return head + ", \"note\": \"fewer than 5 held-out frames: not evaluated\"}";
        }
        SyncScoring.Score s = SyncScoring.score(expert, clip, clip.trainFrames(), clip.frames(), maxOffset, 64);
        context.log().info("{}: held-out frames of {}: {}", name, clip.name(), s);
        StringBuilder curve = new StringBuilder();
        for (int k = 0; k < s.meanSimilarity().length; k++) {
            curve.append(k == 0 ? "" : ", ").append(number(s.meanSimilarity()[k]));
        }
        return head + ", \"windows\": " + s.windows() + ", \"in_sync_accuracy\": " + number(s.inSyncAccuracy())
                + ", \"off_sync_accuracy\": " + number(s.offSyncAccuracy()) + ", \"balanced_accuracy\": "
                + number(s.balancedAccuracy()) + ", \"offset_frames\": " + s.offsetFrames() + ", \"confidence\": "
                + number(s.confidence()) + ", \"mean_p_sync_by_offset\": [" + curve + "]}";
    }
}
