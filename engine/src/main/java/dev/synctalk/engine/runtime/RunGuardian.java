package dev.synctalk.engine.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Parent of one run's stage actors. Stopping it stops every stage actor, which closes its stage (and
 * with it files, decoders, GPU contexts), whatever way the run ended.
 */
public final class RunGuardian {
    public sealed interface Command permits Stop {
    }

    public record Stop() implements Command {
    }

    private RunGuardian() {
    }

    /** @param spawned completed with each stage's actors: one, or {@code parallelism} for a parallel stage */
    public static Behavior<Command> create(Map<String, StageHost> hosts, Map<String, String> dispatchers,
                                           CompletableFuture<Map<String, List<ActorRef<StageActor.Command>>>> spawned) {
        return Behaviors.setup(ctx -> {
            Map<String, List<ActorRef<StageActor.Command>>> refs = new LinkedHashMap<>();
            for (Map.Entry<String, StageHost> e : hosts.entrySet()) {
                StageHost host = e.getValue();
                String dispatcher = dispatchers.get(e.getKey());
                if (dispatcher == null) {
                    dispatcher = host.context().gpuDevice()
                            .map(device -> "synctalk.gpu-" + device + "-dispatcher")
                            .orElse("synctalk.stage-dispatcher");
                }
                List<ActorRef<StageActor.Command>> instances = new ArrayList<>();
                for (int i = 0; i < host.parallelism(); i++) {
                    String actorName = "stage-" + safe(e.getKey()) + (host.parallelism() > 1 ? "-" + i : "");
                    instances.add(ctx.spawn(StageActor.create(host), actorName, DispatcherSelector.fromConfig(dispatcher)));
                }
                refs.put(e.getKey(), List.copyOf(instances));
            }
            spawned.complete(refs);
            return Behaviors.receive(Command.class)
                    .onMessage(Stop.class, s -> Behaviors.stopped())
                    .build();
        });
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_\\-]", "_");
    }
}
