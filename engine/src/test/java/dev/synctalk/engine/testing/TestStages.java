package dev.synctalk.engine.testing;

import dev.synctalk.engine.graph.StageRegistry;
import dev.synctalk.engine.run.RunDirectory;
import dev.synctalk.engine.stage.Emitter;
import dev.synctalk.engine.stage.Inputs;
import dev.synctalk.engine.stage.Param;
import dev.synctalk.engine.stage.Placement;
import dev.synctalk.engine.stage.PortSpec;
import dev.synctalk.engine.stage.Stage;
import dev.synctalk.engine.stage.StageContext;
import dev.synctalk.engine.stage.StageType;
import dev.synctalk.journal.PayloadCodecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/** Small, deterministic stage types for engine tests: a counting source, transforms, sinks. */
public final class TestStages {
    private TestStages() {
    }

    public static StageRegistry registry() {
        return StageRegistry.of(new Count(), new Square(), new Add(), new FailOnce(), new SlowSink(), new Collect(),
                new ThreadName(), new RunningSum(), new Prepared(), new ParallelSquare(), new ArrivalOrder());
    }

    public static PayloadCodecs codecs() {
        return PayloadCodecs.empty().register(new Num.Codec());
    }

    private abstract static class Base<C extends Record> implements StageType<C> {
        private final String name;
        private final Class<C> config;
        private final List<PortSpec> in;
        private final List<PortSpec> out;

        Base(String name, Class<C> config, List<PortSpec> in, List<PortSpec> out) {
            this.name = name;
            this.config = config;
            this.in = in;
            this.out = out;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "test stage " + name;
        }

        @Override
        public Class<C> configType() {
            return config;
        }

        @Override
        public List<PortSpec> inputs() {
            return in;
        }

        @Override
        public List<PortSpec> outputs() {
            return out;
        }
    }

    private static final List<PortSpec> NUM_IN = List.of(PortSpec.of("in", Num.class, "numbers"));
    private static final List<PortSpec> NUM_OUT = List.of(PortSpec.of("out", Num.class, "numbers"));

    /** Emits Num(i, i) for i in [0, count); honours seek. */
    public static final class Count extends Base<Count.Config> {
        public record Config(@Param(doc = "how many frames") int count,
                             @Param(defaultValue = "0", doc = "sleep per frame") int delayMs) {
        }

        public Count() {
            super("count", Config.class, List.of(), NUM_OUT);
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            ctx.progress().total(c.count(), "frames");
            return new Stage() {
                long next;

                @Override
                public void seek(long from) {
                    next = from;
                }

                @Override
                public boolean produce(Emitter out) throws InterruptedException {
                    if (next >= c.count()) {
                        return false;
                    }
                    if (c.delayMs() > 0) {
                        Thread.sleep(c.delayMs());
                    }
                    out.emit("out", new Num(next, next));
                    ctx.progress().advance(1);
                    next++;
                    return next < c.count();
                }
            };
        }
    }

    public static final class Square extends Base<Square.Config> {
        public record Config() {
        }

        public Square() {
            super("square", Config.class, NUM_IN, NUM_OUT);
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) {
                    Num n = in.get("in", Num.class);
                    out.emit("out", new Num(n.frameIndex(), n.value() * n.value()));
                }
            };
        }
    }

    /**
     * Stateless: squares numbers after a pause that differs from frame to frame ({@code (index * 7) % 5} ms
     * times {@code delay-ms}), so that parallel actors finish out of order. Records, per run, the most
     * calls that were in progress at once ({@link #maxConcurrentCalls}).
     */
    public static final class ParallelSquare extends Base<ParallelSquare.Config> {
        public record Config(@Param(defaultValue = "1") int delayMs) {
        }

        private static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> CURRENT =
                new java.util.concurrent.ConcurrentHashMap<>();
        private static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> MAX =
                new java.util.concurrent.ConcurrentHashMap<>();

        public ParallelSquare() {
            super("parallel-square", Config.class, NUM_IN, NUM_OUT);
        }

        @Override
        public boolean stateless() {
            return true;
        }

        public static int maxConcurrentCalls(String runId) {
            java.util.concurrent.atomic.AtomicInteger max = MAX.get(runId);
            return max == null ? 0 : max.get();
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            java.util.concurrent.atomic.AtomicInteger current =
                    CURRENT.computeIfAbsent(ctx.runId(), k -> new java.util.concurrent.atomic.AtomicInteger());
            java.util.concurrent.atomic.AtomicInteger max =
                    MAX.computeIfAbsent(ctx.runId(), k -> new java.util.concurrent.atomic.AtomicInteger());
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) throws InterruptedException {
                    max.accumulateAndGet(current.incrementAndGet(), Math::max);
                    try {
                        Num n = in.get("in", Num.class);
                        Thread.sleep((n.frameIndex() * 7) % 5 * c.delayMs());
                        out.emit("out", new Num(n.frameIndex(), n.value() * n.value()));
                    } finally {
                        current.decrementAndGet();
                    }
                }
            };
        }
    }

    /** Writes the frame indices in the order they arrived, one per line, to outputs/{@code file}. */
    public static final class ArrivalOrder extends Base<ArrivalOrder.Config> {
        public record Config(@Param(defaultValue = "arrivals.txt") Path file) {
        }

        public ArrivalOrder() {
            super("arrival-order", Config.class, NUM_IN, List.of());
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                final StringBuilder arrivals = new StringBuilder();

                @Override
                public void process(Inputs in, Emitter out) {
                    arrivals.append(in.get("in", Num.class).frameIndex()).append('\n');
                }

                @Override
                public void finish(Emitter out) {
                    RunDirectory.writeAtomically(ctx.output(c.file()), arrivals.toString());
                }
            };
        }
    }

    /** Joins two inputs by frame index and adds them. */
    public static final class Add extends Base<Add.Config> {
        public record Config() {
        }

        public Add() {
            super("add", Config.class, List.of(PortSpec.of("a", Num.class, ""), PortSpec.of("b", Num.class, "")),
                    NUM_OUT);
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) {
                    out.emit("out", new Num(in.frameIndex(), in.get("a", Num.class).value()
                            + in.get("b", Num.class).value()));
                }
            };
        }
    }

    /** Passes numbers through, but throws on frame {@code fail-at} while the marker file exists. */
    public static final class FailOnce extends Base<FailOnce.Config> {
        public record Config(@Param int failAt, @Param(defaultValue = Param.NONE) Path marker) {
        }

        public FailOnce() {
            super("fail-once", Config.class, NUM_IN, NUM_OUT);
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) {
                    Num n = in.get("in", Num.class);
                    if (n.frameIndex() == c.failAt() && (c.marker() == null || Files.exists(c.marker()))) {
                        throw new IllegalStateException("injected failure");
                    }
                    out.emit("out", n);
                }
            };
        }
    }

    /** A sink that takes {@code delay-ms} per message. */
    public static final class SlowSink extends Base<SlowSink.Config> {
        public record Config(@Param(defaultValue = "5") int delayMs) {
        }

        public SlowSink() {
            super("slow-sink", Config.class, NUM_IN, List.of());
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) throws InterruptedException {
                    Thread.sleep(c.delayMs());
                }
            };
        }
    }

    /** Writes "index value" lines, sorted by index, to outputs/{@code file} when its input ends. */
    public static final class Collect extends Base<Collect.Config> {
        public record Config(@Param(defaultValue = "values.txt") Path file) {
        }

        public Collect() {
            super("collect", Config.class, NUM_IN, List.of());
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                final TreeMap<Long, Double> values = new TreeMap<>();

                @Override
                public void process(Inputs in, Emitter out) {
                    Num n = in.get("in", Num.class);
                    values.put(n.frameIndex(), n.value());
                }

                @Override
                public void finish(Emitter out) {
                    StringBuilder sb = new StringBuilder();
                    values.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
                    RunDirectory.writeAtomically(ctx.output(c.file()), sb.toString());
                }
            };
        }
    }

    /** GPU-placed: writes the names of the threads it ran on, to check pinning. */
    public static final class ThreadName extends Base<ThreadName.Config> {
        public record Config(@Param(defaultValue = "threads.txt") Path file) {
        }

        public ThreadName() {
            super("thread-name", Config.class, NUM_IN, List.of());
        }

        @Override
        public Placement placement() {
            return Placement.GPU;
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            return new Stage() {
                final java.util.Set<String> threads = new java.util.TreeSet<>();

                @Override
                public void process(Inputs in, Emitter out) {
                    threads.add(Thread.currentThread().getName());
                }

                @Override
                public void finish(Emitter out) {
                    RunDirectory.writeAtomically(ctx.output(c.file()), String.join("\n", threads)
                            + "\ndevice=" + ctx.gpuDevice().orElse(-1) + "\n");
                }
            };
        }
    }

    /**
     * Stateful like a training step: emits the running sum of its inputs and checkpoints it every
     * {@code every} frames (keeping them all), restoring the one the engine names on resume.
     */
    public static final class RunningSum extends Base<RunningSum.Config> {
        public record Config(@Param(defaultValue = "10") int every) {
        }

        public RunningSum() {
            super("running-sum", Config.class, NUM_IN, NUM_OUT);
        }

        @Override
        public int lookbackFrames() {
            return ALL_HISTORY;
        }

        @Override
        public List<Long> checkpoints(Config c, Path dir) {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (var files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt"))
                        .map(n -> Long.parseLong(n.substring(0, n.length() - 5))).sorted().toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** A checkpoint is its sum as text: anything else fails verification. */
        @Override
        public void verifyCheckpoint(Config c, Path dir, long through) throws java.io.IOException {
            Path file = dir.resolve(through + ".ckpt");
            try {
                Double.parseDouble(Files.readString(file));
            } catch (NumberFormatException | java.nio.charset.MalformedInputException e) {
                throw new java.io.IOException("checkpoint " + file + " is damaged: " + e.getMessage(), e);
            }
        }

        @Override
        public Stage create(Config c, StageContext ctx) throws java.io.IOException {
            double restored = 0;
            if (ctx.restoreFrom().isPresent()) {
                restored = Double.parseDouble(Files.readString(
                        ctx.checkpointDir().resolve(ctx.restoreFrom().getAsLong() + ".ckpt")));
            }
            final double start = restored;
            return new Stage() {
                double sum = start;

                @Override
                public void process(Inputs in, Emitter out) {
                    Num n = in.get("in", Num.class);
                    sum += n.value();
                    out.emit("out", new Num(n.frameIndex(), sum));
                    if ((n.frameIndex() + 1) % c.every() == 0) {
                        RunDirectory.writeAtomically(ctx.checkpointDir().resolve(n.frameIndex() + ".ckpt"),
                                Double.toString(sum));
                    }
                }
            };
        }
    }

    /**
     * Passes numbers through and records, in {@link #EVENTS}, the thread its type was prepared on and when its
     * stages were created, to check that preparation (native libraries) happens first, on one thread.
     */
    public static final class Prepared extends Base<Prepared.Config> {
        public static final List<String> EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

        public record Config() {
        }

        public Prepared() {
            super("prepared", Config.class, NUM_IN, NUM_OUT);
        }

        @Override
        public void prepare() {
            EVENTS.add("prepare on " + Thread.currentThread().getName());
        }

        @Override
        public Stage create(Config c, StageContext ctx) {
            EVENTS.add("create " + ctx.stageName());
            return new Stage() {
                @Override
                public void process(Inputs in, Emitter out) {
                    out.emit("out", in.get("in", Num.class));
                }
            };
        }
    }
}
