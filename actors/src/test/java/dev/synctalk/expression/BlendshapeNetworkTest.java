package dev.synctalk.expression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.face.FaceLandmarks;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlendshapeNetworkTest {

    @Test
    void blendshapeScoresAreInUnitRangeAndNamed() throws Exception {
        BlendshapeNetwork network = BlendshapeNetwork.load(SampleLandmarks.task());
        List<FaceLandmarks> track = SampleLandmarks.hdtfAoc();
        assertEquals(52, BlendshapeNetwork.NAMES.size());
        assertEquals(52, Set.copyOf(BlendshapeNetwork.NAMES).size());
        assertEquals("_neutral", BlendshapeNetwork.NAMES.get(0));
        assertEquals("eyeBlinkLeft", BlendshapeNetwork.NAMES.get(9));
        assertEquals("noseSneerRight", BlendshapeNetwork.NAMES.get(51));
        double[] mean = new double[52];
        for (FaceLandmarks f : track) {
            float[] s = network.scores(f);
            assertEquals(52, s.length);
            for (int i = 0; i < 52; i++) {
                assertTrue(s[i] >= 0 && s[i] <= 1, BlendshapeNetwork.NAMES.get(i) + " = " + s[i] + " in frame " + f.frameIndex());
                mean[i] += s[i] / track.size();
            }
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 52; i++) {
            b.append(BlendshapeNetwork.NAMES.get(i)).append(String.format("=%.3f ", mean[i]));
        }
        System.out.println(b);
        float[] blink = new float[track.size()];
        for (int t = 0; t < track.size(); t++) {
            float[] s = network.scores(track.get(t));
            System.out.printf("%d blinkL %.3f blinkR %.3f openL %.3f openR %.3f jaw %.3f%n", t, s[9], s[10],
                    LandmarkGeometryExpression.eyeOpenness(track.get(t), true),
                    LandmarkGeometryExpression.eyeOpenness(track.get(t), false), s[25]);
        }
    }
}
