package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import org.junit.jupiter.api.Test;

/** Correlation, audio-visual offset, the audio envelope and temporal flicker against known values. */
class SeriesMetricsTest {

    /** A speech-like envelope: syllables of irregular length and height. */
    static double[] envelope(int n) {
        double[] e = new double[n];
        for (int t = 0; t < n; t++) {
            e[t] = Math.sin(2 * Math.PI * t / 7.3) + 0.6 * Math.sin(2 * Math.PI * t / 3.1 + 1) + 0.3 * Math.cos(t * 0.9);
        }
        return e;
    }

    @Test
    void correlationOfLinearSeriesIsPlusOrMinusOneAndSkipsMissingValues() {
        double[] a = {1, 2, 3, 4, Double.NaN, 6};
        double[] b = {2, 4, 6, 8, 10, 12};
        assertEquals(1.0, Correlation.pearson(a, b), 1e-12);
        double[] c = {-1, -2, -3, -4, -5, -6};
        assertEquals(-1.0, Correlation.pearson(b, c), 1e-12);
    }

    @Test
    void correlationOfAConstantSeriesOrOfTooFewFramesIsUndefined() {
        UndefinedMetricException constant = assertThrows(UndefinedMetricException.class,
                () -> Correlation.pearson(new double[] {1, 1, 1, 1}, new double[] {1, 2, 3, 4}));
        assertTrue(constant.getMessage().contains("constant"), constant.getMessage());
        UndefinedMetricException single = assertThrows(UndefinedMetricException.class,
                () -> Correlation.pearson(new double[] {1}, new double[] {2}));
        assertTrue(single.getMessage().contains("at least 3"), single.getMessage());
    }

    @Test
    void offsetIsTheDelayOfTheMouthBehindTheSound() {
        double[] energy = envelope(80);
        for (int delay : new int[] {0, 3, -2}) {
            double[] opening = new double[energy.length];
            for (int t = 0; t < opening.length; t++) {
                int s = t - delay;
                opening[t] = s >= 0 && s < energy.length ? energy[s] : Double.NaN;
            }
            LagCorrelation o = LagCorrelation.find(opening, energy, 8);
            assertEquals(delay, o.lagFrames(), "mouth " + delay + " frames after the sound");
            assertEquals(1.0, o.correlation(), 1e-9);
        }
    }

    @Test
    void offsetNeedsEnoughFramesForItsLagRange() {
        double[] e = envelope(12);
        UndefinedMetricException few = assertThrows(UndefinedMetricException.class,
                () -> LagCorrelation.find(e, e, 8));
        assertTrue(few.getMessage().contains("at least 16"), few.getMessage());
        double[] flat = new double[40];
        assertThrows(UndefinedMetricException.class, () -> LagCorrelation.find(flat, envelope(40), 4));
        assertThrows(IllegalArgumentException.class, () -> LagCorrelation.find(new double[3], new double[4], 1));
    }

    @Test
    void envelopeIsTheRmsOfEachFramesSamplesInDecibels() {
        float[] samples = new float[16000];
        for (int i = 0; i < 640; i++) {
            samples[i] = (float) (0.5 * Math.sin(2 * Math.PI * 200 * i / 16000.0)); // 16 whole periods
        }
        AudioEnvelope env = new AudioEnvelope(samples, 16000, 25);
        assertEquals(25, env.frames());
        assertEquals(20 * Math.log10(0.5 / Math.sqrt(2) + 1e-4), env.energyDb(0), 1e-4);
        assertEquals(-80.0, env.energyDb(1), 1e-9, "silence sits at the floor");
        assertTrue(Double.isNaN(env.energyDb(25)), "past the end");
        assertEquals(640, env.samples(30).length, "frames past the end are silent");
    }

    @Test
    void flickerIsTheMeanChangeOutsideTheFaceIn8BitLevels() {
        FloatImage a = ImageMetricsTest.constant(4, 2, 0.5f);
        FloatImage b = a.copy();
        boolean[] face = new boolean[8];
        face[0] = true;
        b.data()[0] = 1f; // inside the face: not counted
        for (int i = 3; i < 24; i++) {
            b.data()[i] = 0.6f;
        }
        assertEquals(0.1 * 255, TemporalFlicker.between(a, b, face, face), 1e-4);
        assertEquals(0.0, TemporalFlicker.between(a, a.copy(), face, face), 0.0);
        boolean[] all = new boolean[8];
        java.util.Arrays.fill(all, true);
        assertThrows(UndefinedMetricException.class, () -> TemporalFlicker.between(a, b, all, face));
    }
}
