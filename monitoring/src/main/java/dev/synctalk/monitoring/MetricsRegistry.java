package dev.synctalk.monitoring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/** All metrics of one run: stages, edges, run state, training curves, preview frames and GPU memory. */
public final class MetricsRegistry {

    public static final String PENDING = "PENDING";
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";
    private static final Set<String> RUN_STATES = Set.of(PENDING, RUNNING, COMPLETED, FAILED, CANCELLED);
    private static final Set<String> TERMINAL_RUN_STATES = Set.of(COMPLETED, FAILED, CANCELLED);
    private static final long UNSET = Long.MIN_VALUE;

    private final String runId;
    private final String graphName;
    private final LongSupplier nanoClock;
    private final long createdNanos;
    private final AtomicLong endedNanos = new AtomicLong(UNSET);
    private volatile String runState = PENDING;

    private final ConcurrentHashMap<String, StageMetrics> stagesByName = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<StageMetrics> stagesInOrder = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, EdgeMetrics> edgesById = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<EdgeMetrics> edgesInOrder = new CopyOnWriteArrayList<>();
    private final ConcurrentSkipListMap<String, Snapshot.GpuMemory> gpuMemory = new ConcurrentSkipListMap<>();
    private final TrainingCurves curves = new TrainingCurves();
    private final PreviewFrames previews = new PreviewFrames();

    public MetricsRegistry(String runId, String graphName) {
        this(runId, graphName, System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds, like {@link System#nanoTime()}; tests pass a manual clock */
    public MetricsRegistry(String runId, String graphName, LongSupplier nanoClock) {
        this.runId = requireName(runId, "run id");
        this.graphName = requireName(graphName, "graph name");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.createdNanos = nanoClock.getAsLong();
    }

    /** Get-or-create; the returned object is the same for the same name for the life of the registry. */
    public StageMetrics stage(String stageName) {
        return getOrCreate(stagesByName, stagesInOrder, requireName(stageName, "stage name"),
                n -> new StageMetrics(n, nanoClock));
    }

    /** Get-or-create by edge id, e.g. {@code mel.windows--feats.in}. */
    public EdgeMetrics edge(String edgeId) {
        return getOrCreate(edgesById, edgesInOrder, requireName(edgeId, "edge id"), EdgeMetrics::new);
    }

    private <T> T getOrCreate(ConcurrentHashMap<String, T> byKey, List<T> inOrder, String key,
            Function<String, T> create) {
        T existing = byKey.get(key);
        if (existing != null) {
            return existing;
        }
        // The lock keeps map and creation-order list in step; it is only taken the first time a key is seen.
        synchronized (inOrder) {
            return byKey.computeIfAbsent(key, k -> {
                T created = create.apply(k);
                inOrder.add(created);
                return created;
            });
        }
    }

    /** In creation order. */
    public Collection<StageMetrics> stages() {
        return List.copyOf(stagesInOrder);
    }

    /** In creation order. */
    public Collection<EdgeMetrics> edges() {
        return List.copyOf(edgesInOrder);
    }

    /** PENDING, RUNNING, COMPLETED, FAILED or CANCELLED; a terminal state freezes the run's elapsed time. */
    public void runState(String state) {
        if (!RUN_STATES.contains(state)) {
            throw new IllegalArgumentException("run " + runId + ": unknown run state '" + state + "', expected one of "
                    + List.of(PENDING, RUNNING, COMPLETED, FAILED, CANCELLED));
        }
        if (TERMINAL_RUN_STATES.contains(state)) {
            endedNanos.compareAndSet(UNSET, nanoClock.getAsLong());
        } else {
            endedNanos.set(UNSET);
        }
        runState = state;
    }

    public String runState() {
        return runState;
    }

    public String runId() {
        return runId;
    }

    public String graphName() {
        return graphName;
    }

    public TrainingCurves curves() {
        return curves;
    }

    public PreviewFrames previews() {
        return previews;
    }

    /** Latest memory use of one GPU, e.g. device "cuda:0". */
    public void gpuMemory(String device, long usedBytes, long totalBytes) {
        requireName(device, "GPU device");
        if (usedBytes < 0 || totalBytes < 0) {
            throw new IllegalArgumentException("GPU " + device + ": negative memory figure, used " + usedBytes
                    + " B of " + totalBytes + " B");
        }
        gpuMemory.put(device, new Snapshot.GpuMemory(device, usedBytes, totalBytes));
    }

    /** An immutable copy of everything, training curve points included. */
    public Snapshot snapshot() {
        return snapshot(true);
    }

    /** Without curve points: what the console needs many times a second. */
    Snapshot snapshot(boolean withCurvePoints) {
        List<Snapshot.Stage> stageSnapshots = new ArrayList<>();
        for (StageMetrics s : stagesInOrder) {
            stageSnapshots.add(s.snapshot());
        }
        List<Snapshot.Edge> edgeSnapshots = new ArrayList<>();
        for (EdgeMetrics e : edgesInOrder) {
            edgeSnapshots.add(e.snapshot());
        }
        long ended = endedNanos.get();
        long elapsedNanos = (ended == UNSET ? nanoClock.getAsLong() : ended) - createdNanos;
        return new Snapshot(runId, graphName, runState, System.currentTimeMillis(), elapsedNanos / 1e9,
                stageSnapshots, edgeSnapshots, curves.snapshot(withCurvePoints), previews.snapshot(),
                List.copyOf(gpuMemory.values()));
    }

    LongSupplier nanoClock() {
        return nanoClock;
    }

    private static String requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be null or blank, was " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }
}
