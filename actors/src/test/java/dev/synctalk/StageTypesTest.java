package dev.synctalk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.StageType;
import java.lang.reflect.RecordComponent;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StageTypesTest {
    @Test
    void everyStageTypeIsRegisteredWithDocumentedParams() throws java.io.IOException {
        Set<String> names = new TreeSet<>();
        for (StageType<?> type : ServiceLoader.load(StageType.class)) {
            names.add(type.name());
            assertTrue(type.configType().isRecord(), type.name());
            assertTrue(!(type.inputs().isEmpty() && type.outputs().isEmpty()), type.name() + " has ports");
            assertTrue(!type.description().isBlank(), type.name() + " describes itself");
            for (RecordComponent c : type.configType().getRecordComponents()) {
                Param param = c.getAnnotation(Param.class);
                assertNotNull(param, type.name() + "." + c.getName() + " is a @Param");
                assertTrue(!param.doc().isBlank(), type.name() + "." + c.getName() + " is documented");
            }
        }
        // Every service entry loads; each class named in the services file contributes one type.
        long entries;
        try (var in = StageTypesTest.class.getResourceAsStream("/META-INF/services/" + StageType.class.getName())) {
            entries = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        }
        assertEquals(entries, names.size(), "one distinct stage type per services entry: " + names);
        assertTrue(names.containsAll(Set.of("video-decode", "frame-writer", "audio-extract", "log-mel", "wav-writer",
                "feature-writer")), names.toString());
    }

    @Test
    void everyStageTypeLoadsTheNativeLibrariesBeforeItsStagesStart() throws Exception {
        for (StageType<?> type : ServiceLoader.load(StageType.class)) {
            assertTrue(type instanceof dev.synctalk.natives.NativeStageType<?>, type.name()
                    + " prepares FFmpeg and OpenCV on the engine's launching thread (extends NativeStageType)");
        }
        ServiceLoader.load(StageType.class).findFirst().orElseThrow().prepare();
        assertTrue(dev.synctalk.natives.NativeLibraries.loaded());
        assertEquals(org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR, org.bytedeco.ffmpeg.global.avutil.av_log_get_level(),
                "FFmpeg is quiet once prepared");
    }
}
