package dev.synctalk.engine.graph;

import static dev.synctalk.engine.graph.GraphFiles.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.synctalk.engine.graph.ParamBinder.ParamInfo;
import dev.synctalk.engine.graph.TestStages.FeatureSinkConfig;
import dev.synctalk.engine.graph.TestStages.FrameSinkConfig;
import dev.synctalk.engine.graph.TestStages.MelConfig;
import dev.synctalk.engine.graph.TestStages.RenderConfig;
import dev.synctalk.engine.graph.TestStages.Scale;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParamBinderTest {
    private static final Origin STAGE = new Origin("params.conf", 1);

    private static Config params(String hocon) {
        return ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription("params.conf"));
    }

    @Test
    void keysAreComponentNamesInKebabCase() {
        assertEquals("sample-rate-hz", ParamBinder.kebab("sampleRateHz"));
        assertEquals("n-fft", ParamBinder.kebab("nFft"));
        assertEquals("gpu-id", ParamBinder.kebab("gpuID"));
        assertEquals("url-path", ParamBinder.kebab("URLPath"));
        assertEquals("mels80", ParamBinder.kebab("mels80"));
    }

    @Test
    void defaultsApplyAndNoneGivesNull() {
        MelConfig mel = ParamBinder.bind(TestStages.MEL, params("n-fft = 512"), STAGE);
        assertEquals(new MelConfig(512, 200, 1.0, Scale.POWER, null, false), mel);
        assertNull(mel.bands());
        assertEquals(new FeatureSinkConfig(Path.of("mel.npy"), 1e-3),
                ParamBinder.bind(TestStages.FEATURE_SINK, ConfigFactory.empty(), STAGE));
    }

    @Test
    void doubleParamAcceptsWholeNumbersAndIntRejectsFractions() {
        assertEquals(25.0, ParamBinder.bind(TestStages.MEL, params("n-fft = 512, gain = 25"), STAGE).gain());
        GraphValidationException e = assertThrows(GraphValidationException.class,
                () -> ParamBinder.bind(TestStages.MEL, params("n-fft = 512.5"), STAGE));
        assertReported(e, "params.conf:1", "stage type 'mel' param 'n-fft': expected int, got 512.5");
    }

    @Test
    void enumsAcceptKebabCaseOrConstantNameInAnyCase() {
        for (String written : List.of("log-power", "LOG_POWER", "Log-Power")) {
            assertEquals(Scale.LOG_POWER,
                    ParamBinder.bind(TestStages.MEL, params("n-fft = 512, scale = \"" + written + "\""), STAGE).scale());
        }
        GraphValidationException e = assertThrows(GraphValidationException.class,
                () -> ParamBinder.bind(TestStages.MEL, params("n-fft = 512, scale = loud"), STAGE));
        assertReported(e, "params.conf:1", "param 'scale': expected one of power, log-power, got \"loud\"");
    }

    @Test
    void listElementOfWrongTypeIsNamedByIndex() {
        GraphValidationException e = assertThrows(GraphValidationException.class,
                () -> ParamBinder.bind(TestStages.MEL, params("n-fft = 512, bands = [1, two, 3]"), STAGE));
        assertReported(e, "params.conf:1", "param 'bands': expected a list of int", "(element 1 is \"two\", not int)");
        assertEquals(List.of(0.25, 2.0), ParamBinder.bind(TestStages.NERF_RENDER, params("scales = [0.25, 2]"), STAGE).scales());
    }

    @Test
    void pathsAreKeptAsWrittenAndStringsAcceptUnquotedScalars() {
        assertEquals(Path.of("../x/y.wav"),
                ParamBinder.bind(TestStages.AUDIO_SOURCE, params("path = ../x/y.wav"), STAGE).path());
        assertEquals(new FrameSinkConfig("2024", List.of("1", "true")),
                ParamBinder.bind(TestStages.FRAME_SINK, params("dir = 2024, tags = [1, true]"), STAGE));
        assertEquals(new RenderConfig(5_000_000_000L, List.of(0.5, 1.0)),
                ParamBinder.bind(TestStages.NERF_RENDER, params("steps = 5000000000"), STAGE));
    }

    @Test
    void recordConstructorRejectionIsReported() {
        GraphValidationException e = assertThrows(GraphValidationException.class,
                () -> ParamBinder.bind(TestStages.MEL, params("n-fft = 800, hop-samples = 900"), STAGE));
        assertReported(e, "params.conf:1", "stage type 'mel' rejected its params: hop-samples 900 exceeds n-fft 800");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        GraphValidationException e = assertThrows(GraphValidationException.class, () -> ParamBinder.bind(TestStages.MEL,
                params("gain = loud\ncenter = 1\nscael = power\n"), STAGE));
        assertReported(e, "params.conf:1", "missing required param 'n-fft'");
        assertReported(e, "params.conf:1", "param 'gain': expected double, got \"loud\"");
        assertReported(e, "params.conf:2", "param 'center': expected boolean, got 1");
        assertReported(e, "params.conf:3", "has no param 'scael'; did you mean 'scale'?");
        assertEquals(4, e.errors().size(), e.getMessage());
    }

    @Test
    void describeListsKeysTypesDefaultsAndDocs() {
        List<ParamInfo> info = ParamBinder.describe(MelConfig.class);
        assertEquals(new ParamInfo("n-fft", "int", true, null, "FFT size in samples", null, false), info.get(0));
        assertEquals(new ParamInfo("hop-samples", "int", false, "200", "", null, false), info.get(1));
        assertEquals(new ParamInfo("scale", "Scale", false, "power", "", null, false), info.get(3));
        assertEquals(new ParamInfo("bands", "List<Integer>", false, null, "", null, false), info.get(4));
        assertEquals(6, info.size());
    }

    @Test
    void describeRejectsComponentWithoutParam() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParamBinder.describe(TestStages.BrokenConfig.class));
        assertTrue(e.getMessage().contains(TestStages.BrokenConfig.class.getName() + ".forgotten has no @Param annotation"),
                e.getMessage());
    }
}
