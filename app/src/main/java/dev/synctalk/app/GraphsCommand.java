package dev.synctalk.app;

import dev.synctalk.engine.graph.GraphLoader;
import dev.synctalk.engine.graph.GraphValidationException;
import dev.synctalk.engine.graph.GraphValidator;
import dev.synctalk.engine.graph.ParamBinder;
import dev.synctalk.engine.graph.StageRegistry;
import dev.synctalk.engine.graph.ValidatedGraph;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.StageType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "graphs", mixinStandardHelpOptions = true, description = "Validate graph files and list stage types.",
        subcommands = {GraphsCommand.Validate.class, GraphsCommand.Stages.class, GraphsCommand.Describe.class})
final class GraphsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check graph files without running them; errors are printed as file:line: reason.")
    static final class Validate implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "GRAPH")
        List<Path> files;

        @Option(names = "-P", paramLabel = "KEY=VALUE", description = "Overrides, as for run.")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() {
            StageRegistry registry = StageRegistry.discover();
            int bad = 0;
            for (Path f : files) {
                try {
                    ValidatedGraph g = new GraphValidator(registry).validate(GraphLoader.load(f, overrides));
                    System.out.printf("%s: ok (%d stages, %d edges, %d journaled)%n", f, g.order().size(),
                            g.definition().edges().size(),
                            g.definition().edges().stream().filter(e -> e.journal()).count());
                    for (String warning : g.warnings()) {
                        System.out.printf("%s: warning: %s%n", f, warning);
                    }
                } catch (GraphValidationException e) {
                    System.err.println(e.getMessage());
                    bad++;
                }
            }
            return bad == 0 ? ExitCodes.OK : ExitCodes.USAGE;
        }
    }

    @Command(name = "stages", mixinStandardHelpOptions = true, description = "List the stage types graphs can use;"
            + " those marked 'parallel' keep no state between frames and may run as several actors (parallelism = N).")
    static final class Stages implements Callable<Integer> {
        @Override
        public Integer call() {
            for (StageType<?> t : StageRegistry.discover().all()) {
                System.out.printf("%-22s %-9s %s%n", t.name(), t.stateless() ? "parallel" : "", t.description());
            }
            return ExitCodes.OK;
        }
    }

    /** One line on whether a stage type may run as several actors. */
    static String parallelismLine(StageType<?> t) {
        if (t.stateless() && !t.inputs().isEmpty()) {
            return "parallel: yes, it keeps no state between frames; a graph may run it as N actors with"
                    + " parallelism = N (frame order is restored before the next stage)";
        }
        return "parallel: no, " + (t.inputs().isEmpty() ? "a source runs as one actor"
                : "it keeps state between frames, so one actor runs it");
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = {"Ports, params and parallelism of"
            + " one stage type; or, given a graph file, its stages with the actors each runs on and which may run in"
            + " parallel."})
    static final class Describe implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "TYPE|GRAPH")
        String type;

        @Option(names = "-P", paramLabel = "KEY=VALUE", description = "Overrides, as for run (graph files only).")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() {
            StageRegistry registry = StageRegistry.discover();
            Optional<StageType<?>> found = registry.find(type);
            if (found.isEmpty() && type.endsWith(".conf")) {
                return describeGraph(registry, Path.of(type), overrides);
            }
            if (found.isEmpty()) {
                System.err.println("synctalk: unknown stage type '" + type + "' (see: synctalk graphs stages)");
                return ExitCodes.USAGE;
            }
            StageType<?> t = found.get();
            System.out.println(t.name() + " - " + t.description());
            System.out.println("placement: " + t.placement() + (t.lookbackFrames() > 0
                    ? ", look-back " + t.lookbackFrames() + " frames" : ""));
            System.out.println(parallelismLine(t));
            System.out.println("inputs:");
            for (PortSpec p : t.inputs()) {
                System.out.printf("  %-12s %-28s %s%n", p.name(), p.type().getSimpleName(), p.description());
            }
            System.out.println("outputs:");
            for (PortSpec p : t.outputs()) {
                System.out.printf("  %-12s %-28s %s%n", p.name(), p.type().getSimpleName(), p.description());
            }
            System.out.println("params:");
            for (ParamBinder.ParamInfo p : ParamBinder.describe(t.configType())) {
                System.out.printf("  %-16s %-10s %s%s%s%s%n", p.key(), p.javaType(),
                        p.required() ? "(required) " : "(default " + p.defaultValue() + ") ",
                        p.range() != null ? "[" + p.range() + "] " : "", p.output() ? "[output, inside the run] " : "",
                        p.doc());
            }
            return ExitCodes.OK;
        }

        private static int describeGraph(StageRegistry registry, Path file, Map<String, String> overrides) {
            ValidatedGraph g;
            try {
                g = new GraphValidator(registry).validate(GraphLoader.load(file, overrides));
            } catch (GraphValidationException e) {
                System.err.println(e.getMessage());
                return ExitCodes.USAGE;
            }
            System.out.println(g.definition().name() + " (" + file + "): stages in run order");
            System.out.printf("  %-12s %-22s %-7s %s%n", "stage", "type", "actors", "parallel");
            for (String name : g.order()) {
                StageType<?> t = g.types().get(name);
                int actors = g.definition().stages().get(name).parallelism();
                String parallel = t.stateless() && !t.inputs().isEmpty() ? "yes (stateless)" : "no";
                System.out.printf("  %-12s %-22s %-7d %s%n", name, t.name(), actors, parallel);
            }
            return ExitCodes.OK;
        }
    }
}
