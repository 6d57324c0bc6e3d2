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
    void everyStageTypeIsRegisteredWithDocumentedParams() {
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
        assertEquals(Set.of("video-decode", "frame-writer", "audio-extract", "log-mel", "wav-writer", "feature-writer",
                "expression"),
                names);
    }
}
