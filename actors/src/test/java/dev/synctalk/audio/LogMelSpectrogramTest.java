package dev.synctalk.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.features.NpyFile;
import dev.synctalk.testing.Python;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogMelSpectrogramTest {
    private static final LogMelSpectrogram.Settings WAV2LIP = LogMelSpectrogram.Settings.wav2lip();

    /** Slaney's auditory-toolbox mel scale written independently: 3 mels per 200 Hz, then 27 mels per log(6.4). */
    private static double slaneyMel(double hz) {
        return hz < 1000 ? 3 * hz / 200 : 15 + 27 * Math.log(hz / 1000) / Math.log(6.4);
    }

    private static double slaneyHz(double mel) {
        return mel < 15 ? 200 * mel / 3 : 1000 * Math.pow(6.4, (mel - 15) / 27);
    }

    /** Edges of the 80 triangles: 82 points evenly spaced in mel between 55 Hz and 7600 Hz. */
    private static double[] edgesHz() {
        double lo = slaneyMel(55);
        double hi = slaneyMel(7600);
        double[] edges = new double[82];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = slaneyHz(lo + (hi - lo) * i / 81);
        }
        return edges;
    }

    @Test
    void melFilterbankMatchesSlaneyFormula() {
        double[][] bank = LogMelSpectrogram.slaneyMelFilterbank(16000, 800, 80, 55, 7600);
        assertEquals(80, bank.length);
        assertEquals(401, bank[0].length);
        assertEquals(15.0, LogMelSpectrogram.hzToMelSlaney(1000), 1e-12);
        assertEquals(1000.0, LogMelSpectrogram.melToHzSlaney(15), 1e-9);
        double[] f = edgesHz();
        int[][] probes = {{0, 3}, {0, 4}, {5, 9}, {20, 27}, {20, 28}, {40, 62}, {60, 150}, {79, 375}, {79, 378}, {79, 380}};
        for (int[] probe : probes) {
            int band = probe[0];
            double hz = probe[1] * 16000.0 / 800;
            double rising = (hz - f[band]) / (f[band + 1] - f[band]);
            double falling = (f[band + 2] - hz) / (f[band + 2] - f[band + 1]);
            double expected = Math.max(0, Math.min(rising, falling)) * 2 / (f[band + 2] - f[band]);
            assertEquals(expected, bank[band][probe[1]], 1e-12 * Math.max(1, Math.abs(expected)),
                    "band " + band + " bin " + probe[1]);
        }
        // Area normalisation: each triangle integrates to about 1 over frequency (in Hz x weight).
        for (int band = 10; band < 80; band += 17) {
            double area = 0;
            for (double w : bank[band]) {
                area += w * 20.0;
            }
            assertEquals(1.0, area, 0.05, "area of band " + band);
        }
        // Nothing below fmin or above fmax.
        for (double[] filter : bank) {
            assertEquals(0.0, filter[0]);
            assertEquals(0.0, filter[400]);
        }
    }

    @Test
    void fftMatchesNaiveDftForMixedAndPrimeLengths() {
        Random random = new Random(7);
        for (int n : new int[] {1, 2, 7, 12, 25, 800}) {
            double[] re = new double[n];
            double[] im = new double[n];
            for (int t = 0; t < n; t++) {
                re[t] = random.nextGaussian();
                im[t] = random.nextGaussian();
            }
            double[] outRe = new double[n];
            double[] outIm = new double[n];
            new MixedRadixFft(n).forward(re, im, outRe, outIm);
            for (int k = 0; k < n; k++) {
                double sumRe = 0;
                double sumIm = 0;
                for (int t = 0; t < n; t++) {
                    double a = -2 * Math.PI * ((long) k * t % n) / n;
                    sumRe += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                    sumIm += re[t] * Math.sin(a) + im[t] * Math.cos(a);
                }
                assertEquals(sumRe, outRe[k], 1e-9 * n, "n=" + n + " re[" + k + "]");
                assertEquals(sumIm, outIm[k], 1e-9 * n, "n=" + n + " im[" + k + "]");
            }
        }
    }

    @Test
    void stftMatchesNaiveDft() {
        Random random = new Random(11);
        double[] frame = new double[800];
        for (int t = 0; t < frame.length; t++) {
            frame[t] = random.nextGaussian() * 0.1;
        }
        double[] before = frame.clone();
        double[] magnitude = new LogMelSpectrogram(WAV2LIP).magnitudeSpectrum(frame);
        assertArrayEquals(before, frame, "input must not be modified");
        assertEquals(401, magnitude.length);
        for (int k = 0; k <= 400; k += 7) {
            double sumRe = 0;
            double sumIm = 0;
            for (int t = 0; t < 800; t++) {
                double hann = 0.5 * (1 - Math.cos(2 * Math.PI * t / 800));
                double a = 2 * Math.PI * k * t / 800;
                sumRe += frame[t] * hann * Math.cos(a);
                sumIm -= frame[t] * hann * Math.sin(a);
            }
            assertEquals(Math.hypot(sumRe, sumIm), magnitude[k], 1e-10, "bin " + k);
        }
    }

    @Test
    void sineToneLightsTheRightMelBand() {
        float[] tone = new float[16000];
        for (int t = 0; t < tone.length; t++) {
            tone[t] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * t / 16000));
        }
        float[][] mel = new LogMelSpectrogram(WAV2LIP).melFrames(tone);
        assertEquals(81, mel.length);
        double[] f = edgesHz();
        int nearestBand = 0;
        for (int band = 1; band < 80; band++) {
            if (Math.abs(f[band + 1] - 1000) < Math.abs(f[nearestBand + 1] - 1000)) {
                nearestBand = band;
            }
        }
        float[] middle = mel[40];
        int loudest = 0;
        for (int band = 1; band < 80; band++) {
            if (middle[band] > middle[loudest]) {
                loudest = band;
            }
        }
        assertEquals(nearestBand, loudest, "the band centred nearest 1 kHz is the loudest");
        assertTrue(middle[loudest] > 0, "a -6 dBFS tone is well above the floor: " + middle[loudest]);
        assertEquals(-4f, middle[5], "a low band far from the tone sits at the floor");
    }

    @Test
    void silenceGivesTheFloorValue() {
        float[][] mel = new LogMelSpectrogram(WAV2LIP).melFrames(new float[3200]);
        assertEquals(17, mel.length);
        for (float[] frame : mel) {
            for (float v : frame) {
                assertEquals(-4f, v);
            }
        }
    }

    @Test
    void normalisationFollowsWav2LipDbScale() {
        LogMelSpectrogram spectrogram = new LogMelSpectrogram(WAV2LIP);
        // 1.0 amplitude = 0 dB, minus 20 dB reference = -20 dB -> 8 * 80/100 - 4 = 2.4
        assertEquals(2.4, spectrogram.normalise(1.0), 1e-12);
        // 1e-3 = -60 dB -> -80 dB -> 8 * 0.2 - 4 = -2.4
        assertEquals(-2.4, spectrogram.normalise(1e-3), 1e-12);
        assertEquals(4.0, spectrogram.normalise(1e6));
        assertEquals(-4.0, spectrogram.normalise(0));
    }

    /** librosa's algorithm restated with numpy alone (rfft, np.pad reflect): an independent reference. */
    private static final String NUMPY_LOG_MEL = String.join("\n",
            "import numpy as np, sys",
            "x = np.load(sys.argv[1]).astype(np.float64)",
            "y = np.append(x[0], x[1:] - 0.97 * x[:-1])",
            "yp = np.pad(y, 400, mode='reflect')",
            "w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(800) / 800)",
            "frames = np.stack([yp[m * 200:m * 200 + 800] * w for m in range(1 + len(y) // 200)])",
            "mag = np.abs(np.fft.rfft(frames, axis=1))",
            "step = np.log(6.4) / 27",
            "hz2mel = lambda f: np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-9) / 1000) / step, f * 3 / 200)",
            "mel2hz = lambda m: np.where(m >= 15, 1000 * np.exp(step * (m - 15)), m * 200 / 3)",
            "mel_f = mel2hz(np.linspace(hz2mel(np.array(55.0)), hz2mel(np.array(7600.0)), 82))",
            "fft_f = np.fft.rfftfreq(800, 1 / 16000)",
            "fdiff = np.diff(mel_f)",
            "ramps = mel_f[:, None] - fft_f[None, :]",
            "W = np.array([np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1])) for i in range(80)])",
            "W *= (2 / (mel_f[2:] - mel_f[:80]))[:, None]",
            "S = 20 * np.log10(np.maximum(1e-5, mag @ W.T)) - 20",
            "np.save(sys.argv[2], np.clip(8 * ((S + 100) / 100) - 4, -4, 4).astype(np.float32))");

    @Test
    void matchesAnIndependentNumpyImplementation(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Python.numpyAvailable(), "python3 with numpy not available");
        Random random = new Random(5);
        float[] x = new float[16000 + 77];
        for (int t = 0; t < x.length; t++) {
            x[t] = (float) (0.3 * Math.sin(2 * Math.PI * 310 * t / 16000.0) * Math.sin(Math.PI * t / x.length)
                    + 0.05 * random.nextGaussian());
        }
        Path input = dir.resolve("x.npy");
        Path output = dir.resolve("mel.npy");
        try (OutputStream out = Files.newOutputStream(input)) {
            NpyFile.write(out, new NpyFile.Array(new int[] {x.length}, x));
        }
        Process python = new ProcessBuilder("python3", "-c", NUMPY_LOG_MEL, input.toString(), output.toString())
                .redirectErrorStream(true).start();
        String log = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(python.waitFor(60, TimeUnit.SECONDS) && python.exitValue() == 0, log);
        NpyFile.Array reference = NpyFile.read(output);
        float[][] mel = new LogMelSpectrogram(WAV2LIP).melFrames(x);
        assertArrayEquals(new int[] {mel.length, 80}, reference.shape());
        double worst = 0;
        for (int m = 0; m < mel.length; m++) {
            for (int b = 0; b < 80; b++) {
                worst = Math.max(worst, Math.abs(mel[m][b] - reference.data()[m * 80 + b]));
            }
        }
        assertTrue(worst < 1e-5, "largest difference to numpy " + worst);
    }

    @Test
    void reflectPaddingMatchesNumpy() {
        // numpy.pad([0, 1, 2, 3], 5, 'reflect') = [1 2 3 2 1 | 0 1 2 3 | 2 1 0 1 2]
        long[] expected = {1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2};
        for (int j = -5; j < 9; j++) {
            assertEquals(expected[j + 5], LogMelSpectrogram.reflectIndex(j, 4), "position " + j);
        }
    }
}
