package dev.synctalk.service.stream;

import dev.synctalk.natives.NativeStageType;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import java.util.List;

/** The end of a live session's graph: hands each encoded packet to the session's clients ({@link SessionOutput}). */
public final class SessionSinkStage implements Stage {

    public record Config(
            @Param(defaultValue = "\"clients\"", doc = "key of the session's output among the run's live objects") String output) {
    }

    public static final class Type extends NativeStageType<Config> {
        public Type() {
            super("session-sink", "delivers a session's encoded frames and audio to its clients", Config.class,
                    List.of(PortSpec.of("in", StreamPacket.class, "encoded frames in order")), List.of());
        }

        @Override
        public Stage create(Config config, StageContext context) {
            return new SessionSinkStage(context.attachment(config.output(), SessionOutput.class), context);
        }
    }

    private final SessionOutput output;
    private final StageContext context;

    private SessionSinkStage(SessionOutput output, StageContext context) {
        this.output = output;
        this.context = context;
    }

    @Override
    public void process(Inputs in, Emitter out) throws InterruptedException {
        output.deliver((StreamPacket) in.only());
        context.progress().advance(1);
    }

    @Override
    public void finish(Emitter out) {
        output.complete();
    }
}
