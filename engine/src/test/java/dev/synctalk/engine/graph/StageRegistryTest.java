package dev.synctalk.engine.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.engine.stage.StageType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRegistryTest {

    @Test
    void allListsTypesSortedByName() {
        StageRegistry registry = StageRegistry.of(TestStages.RELAY, TestStages.MEL, TestStages.AUDIO_SOURCE);
        assertEquals(List.of("audio-source", "mel", "relay"), registry.all().stream().map(StageType::name).toList());
        assertEquals(TestStages.MEL, registry.find("mel").orElseThrow());
        assertTrue(registry.find("nope").isEmpty());
    }

    @Test
    void duplicateNameIsRejectedNamingBothClasses() {
        StageRegistry registry = StageRegistry.of(TestStages.MEL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.register(new TestStages.TestType<>("mel", TestStages.RelayConfig.class, List.of(), List.of(),
                        dev.synctalk.engine.stage.Placement.CPU)));
        assertTrue(e.getMessage().contains("stage type name 'mel' is registered twice"), e.getMessage());
    }

    @Test
    void discoverFindsServiceEntriesOnTheContextClassLoader(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(StageType.class.getName()), TestStages.DiscoverableType.class.getName() + "\n");
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            thread.setContextClassLoader(loader);
            StageRegistry registry = StageRegistry.discover();
            assertEquals("found through META-INF/services", registry.find("discoverable").orElseThrow().description());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
