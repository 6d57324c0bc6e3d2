package dev.synctalk.engine.runtime;

import dev.synctalk.engine.stage.StageType;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Runs {@link StageType#prepare()} once per stage type class and JVM, on the calling thread, one type at a
 * time: native libraries are loaded here, before any stage actor exists, so their class initialisers never run
 * concurrently on actor threads (FFmpeg's and JavaCPP's deadlock when they do).
 */
public final class StagePreparation {
    private static final Set<Class<?>> PREPARED = new HashSet<>();

    private StagePreparation() {
    }

    /** @throws IllegalStateException naming the stage type whose preparation failed */
    public static synchronized void prepare(Collection<? extends StageType<?>> types) {
        for (StageType<?> type : types) {
            if (PREPARED.contains(type.getClass())) {
                continue;
            }
            try {
                type.prepare();
            } catch (Exception | LinkageError e) {
                throw new IllegalStateException("stage type " + type.name() + " could not prepare: "
                        + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
            }
            PREPARED.add(type.getClass());
        }
    }
}
