package dev.synctalk.natives;

import dev.synctalk.engine.stage.AbstractStageType;
import dev.synctalk.engine.stage.PortSpec;
import java.util.List;

/**
 * The base of the SyncTalk stage types: each prepares the native libraries ({@link NativeLibraries}) before the
 * engine creates any stage, since nearly every stage reaches FFmpeg or OpenCV (decoding, encoding, image files,
 * previews) and their initialisers must not race.
 */
public abstract class NativeStageType<C extends Record> extends AbstractStageType<C> {

    protected NativeStageType(String name, String description, Class<C> configType, List<PortSpec> inputs,
                              List<PortSpec> outputs) {
        super(name, description, configType, inputs, outputs);
    }

    @Override
    public void prepare() {
        NativeLibraries.load();
    }
}
