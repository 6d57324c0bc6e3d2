package dev.synctalk.testing;

import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Indexed;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Stage;
import java.util.ArrayList;
import java.util.List;

/** An emitter that keeps what a stage emits on one port (and fails on any other port). */
public final class Collected<T extends Indexed> implements Emitter {
    private final String port;
    private final Class<T> type;
    public final List<T> messages = new ArrayList<>();

    public Collected(String port, Class<T> type) {
        this.port = port;
        this.type = type;
    }

    @Override
    public void emit(String emittedPort, Indexed message) {
        if (!port.equals(emittedPort)) {
            throw new AssertionError("emitted on unexpected port '" + emittedPort + "', expected '" + port + "'");
        }
        messages.add(type.cast(message));
    }

    /** Drains a source stage: produce until it reports exhaustion. */
    public static <T extends Indexed> List<T> drain(Stage source, String port, Class<T> type) throws Exception {
        Collected<T> out = new Collected<>(port, type);
        int calls = 0;
        while (source.produce(out)) {
            if (++calls > 1_000_000) {
                throw new AssertionError("source did not finish");
            }
        }
        return out.messages;
    }

    /** Feeds messages into a single-input stage, then finishes it. */
    public static <T extends Indexed> List<T> run(Stage stage, String inPort, List<? extends Indexed> inputs,
            String outPort, Class<T> type) throws Exception {
        Collected<T> out = new Collected<>(outPort, type);
        for (Indexed message : inputs) {
            stage.process(Inputs.single(inPort, message), out);
        }
        stage.finish(out);
        return out.messages;
    }
}
